// Quotas under concurrent requests (issue 28, M2): what racing appends of one owner are admitted
// must fit MAX_OWNER_UPLOADS and MAX_OWNER_BYTES together, on one server and through the cluster
// (where the racing requests land on both instances). Run with QUOTA_ENV (3 uploads, 10 MiB).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header, Problem } from '../../../common/protocol.js';
import { Client, MiB, collectReply, openRawAppend, randomFile, writeAll, type Target } from '../helpers.js';

const TUS = { 'tus-resumable': '1.0.0' };
const IETF = { 'upload-draft-interop-version': '8' };

const isQuotaProblem = (answer: { status: number; text: string }) => answer.status === 413 && (JSON.parse(answer.text) as { type: string }).type === Problem.quotaExceeded;

/** The owner's bytes kept, as tus HEAD and the listing tell them. */
async function keptBytes(client: Client, urls: string[]): Promise<number> {
  let bytes = (await client.list()).reduce((sum, file) => sum + file.size, 0);
  for (const url of urls) {
    const head = await client.request('HEAD', url, TUS);
    if (head.status === 200) bytes += Math.max(Number(head.headers.get('upload-length') ?? 0), Number(head.headers.get('upload-offset')));
  }
  return bytes;
}

export function quotaRaceSuite(where: string, start: () => Promise<Target>): void {
  describe(`quotas under concurrent requests: ${where}`, () => {
    let server: Target;
    before(async () => (server = await start()));
    after(() => server.close());

    it('20 tus creations of 4 MiB at once: at most what fits is created, the rest are quota problems', async () => {
      const client = new Client(server.urls);
      await client.ensureOwner();
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.request('POST', '/uploads/', { ...TUS, 'upload-length': String(4 * MiB) })));
      const created = answers.filter((answer) => answer.status === 201);
      assert.equal(created.length, 2, answers.map((answer) => answer.status).join(' '));
      assert.ok(answers.filter((answer) => answer.status !== 201).every(isQuotaProblem));
      assert.ok((await keptBytes(client, created.map((answer) => answer.headers.get('location')!))) <= 10 * MiB);
    });

    it('20 IETF creations of 1 MiB at once: at most MAX_OWNER_UPLOADS are left open', async () => {
      const client = new Client(server.urls);
      await client.ensureOwner();
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.request('POST', '/uploads/', { ...IETF, 'upload-complete': '?0', 'upload-length': String(MiB) }, randomFile(10))));
      assert.equal(answers.filter((answer) => answer.status === 201).length, 3, answers.map((answer) => answer.status).join(' '));
      assert.ok(answers.filter((answer) => answer.status !== 201).every(isQuotaProblem));
    });

    it('10 Ferry uploads of 2 MiB at once: what completes fits the 10 MiB quota', async () => {
      const client = new Client(server.urls);
      await client.ensureOwner();
      const files = Array.from({ length: 10 }, () => randomFile(2 * MiB));
      const answers = await Promise.all(files.map((file, n) => client.append(`racer-${n}`, 0, file, { [Header.fileSize]: String(file.length) })));
      assert.ok(answers.every((answer) => answer.status === 200 || isQuotaProblem(answer)), answers.map((answer) => answer.status).join(' '));
      const stored = (await client.list()).reduce((sum, file) => sum + file.size, 0);
      assert.ok(stored <= 10 * MiB, `${stored} bytes completed`);
      assert.ok(answers.filter((answer) => answer.status === 200).length >= 3, 'the quota is used, not refused wholesale');
    });

    it('3 defer-length bodies streaming at once share one room: together they hold at most the quota', async () => {
      const client = new Client(server.urls);
      await client.ensureOwner();
      const urls: string[] = [];
      for (let n = 0; n < 3; n++) {
        const created = await client.request('POST', '/uploads/', { ...TUS, 'upload-defer-length': '1' });
        assert.equal(created.status, 201, created.text);
        urls.push(created.headers.get('location')!);
      }
      const replies = await Promise.all(urls.map(async (url, n) => {
        const socket = await openRawAppend(server.urls[n % server.urls.length]!, {
          cookie: client.cookie!, ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(6 * MiB),
        }, 'PATCH', url);
        const reply = collectReply(socket);
        const body = randomFile(6 * MiB);
        for (let at = 0; at < body.length && !socket.destroyed; at += 256 * 1024) await writeAll(socket, body.subarray(at, at + 256 * 1024)).catch(() => undefined);
        return reply;
      }));
      assert.ok(replies.some((reply) => /^HTTP\/1\.1 413/.test(reply) || reply === ''), 'at least one body ran into the quota');
      assert.ok((await keptBytes(client, urls)) <= 10 * MiB, `kept ${await keptBytes(client, urls)} bytes`);
    });
  });
}
