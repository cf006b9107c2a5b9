// Issue 15: a server on the open internet that abuse cannot stop or fill. Each attack comes
// from outside, over real sockets, against a real server process whose descriptors we count.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { forkFerry, type FerryProcess } from '../../testkit/ferry.js';
import { Header } from '../../common/protocol.js';
import { Client, MiB, collectReply, eventually, openRawAppend, randomFile, sha256, sleep, writeAll } from './helpers.js';

const openFds = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

/** A raw append from a browser with no cookie: a new owner each time, as an attacker sends them. */
function cookielessAppend(url: string, id: string, size: number): Promise<net.Socket> {
  return openRawAppend(url, { [Header.fileId]: id, [Header.startByte]: '0', [Header.fileSize]: String(size), 'content-length': String(size) });
}

/** Upload `file` whole, coming back after each 503 as its Retry-After says; every answer is kept. */
async function uploadPolitely(client: Client, id: string, file: Buffer, deadlineMs: number): Promise<number[]> {
  const statuses: number[] = [];
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const from = (await client.status(id)).offset ?? 0;
    const answer = await client.append(id, from, file.subarray(from), { [Header.fileSize]: String(file.length) });
    statuses.push(answer.status);
    if (answer.status === 200) return statuses;
    await sleep(Number(answer.headers.get('retry-after') ?? 1) * 1000);
  }
  return statuses;
}

describe('abuse: dropped clients', () => {
  let ferry: FerryProcess;
  // One owner sends them all; the per-owner caps (tested below and in quotas) would refuse most first.
  before(async () => (ferry = await forkFerry({ env: { LOG_LEVEL: 'silent', MAX_OWNER_APPENDS: '1000', MAX_OWNER_UPLOADS: '1000' } })));
  after(() => ferry.close());

  it('ends every append whose client drops early, with or without a reset: no descriptor leaks, the bytes that came are kept', async () => {
    const client = new Client(ferry.url);
    await client.ensureOwner();
    await client.upload('warm-up', randomFile(1000), 1000);
    const before = await openFds(ferry.child.pid!);
    const kinds = ['after-headers', 'after-4KiB', 'reset'] as const;
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 30 }, async (_, n) => {
        const index = batch * 30 + n;
        const kind = kinds[index % 3]!;
        const socket = await openRawAppend(client.next(), {
          cookie: client.cookie!, [Header.fileId]: `dropped-${index}`, [Header.startByte]: '0', [Header.fileSize]: String(MiB), 'content-length': String(MiB),
        });
        socket.on('error', () => undefined);
        if (kind !== 'after-headers') await writeAll(socket, randomFile(4096));
        if (kind === 'reset') socket.resetAndDestroy();
        else socket.destroy();
      }));
    }
    const settled = await eventually(async () => {
      const now = await openFds(ferry.child.pid!);
      return now <= before + 4 ? now : undefined;
    }, 15_000, `the server's descriptors to come back near ${before}`);
    console.log(`descriptors: ${before} before 300 dropped appends, ${settled} after`);

    // The bytes a closed connection delivered were kept (a reset may discard what the kernel held).
    for (let index = 1; index < 300; index += 3) assert.equal((await client.status(`dropped-${index}`)).offset, 4096, `dropped-${index}`);
    for (let index = 2; index < 300; index += 3) assert.ok((await client.status(`dropped-${index}`)).offset! <= 4096);
    const file = randomFile(2 * MiB);
    assert.equal((await client.upload('after-the-storm', file, MiB)).status, 200);
    assert.equal(await client.storedSha('after-the-storm'), sha256(file));
  });

  it('answers "Expect: 100-continue" with the final status when the append is doomed, and with 100 when it is not', async () => {
    const client = new Client(ferry.url);
    await client.ensureOwner();
    const file = randomFile(3 * MiB);
    const headers = { cookie: client.cookie!, [Header.fileId]: 'expecting', [Header.fileSize]: String(file.length), expect: '100-continue' };

    const doomed = await openRawAppend(ferry.url, { ...headers, [Header.startByte]: '5', 'content-length': String(file.length - 5) });
    const refused = await collectReply(doomed);
    assert.match(refused, /^HTTP\/1\.1 409 /, 'a wrong start is refused before any body is invited');
    assert.doesNotMatch(refused, /100 Continue/);

    const invited = await openRawAppend(ferry.url, { ...headers, [Header.startByte]: '0', 'content-length': String(file.length) });
    const reply = collectReply(invited);
    const first = await new Promise<string>((resolve) => invited.once('data', (data: Buffer) => resolve(data.toString('latin1'))));
    assert.match(first, /^HTTP\/1\.1 100 Continue/);
    await writeAll(invited, file);
    assert.match(await reply, /HTTP\/1\.1 200 /);
    assert.equal(await client.storedSha('expecting'), sha256(file));
  });
});

describe('abuse: slow bodies and too many appends', () => {
  it('closes bodies that trickle, keeps their bytes, and never answers EMFILE under a 256-descriptor limit', async () => {
    const ferry = await forkFerry({ env: { LOG_LEVEL: 'silent' }, fileLimit: 256 });
    try {
      const tricklers = await Promise.all(Array.from({ length: 110 }, (_, index) => cookielessAppend(ferry.url, `trickle-${index}`, 1000)));
      const answers = tricklers.map(collectReply);
      let trickling = true;
      const trickle = (async () => {
        while (trickling) {
          for (const socket of tricklers) if (!socket.destroyed) socket.write('x');
          await sleep(2000);
        }
      })();
      await sleep(1000);
      const legit = new Client(ferry.url);
      await legit.ensureOwner();
      const file = randomFile(MiB);
      const statuses = await uploadPolitely(legit, 'legit', file, 60_000);
      trickling = false;
      await trickle;
      console.log(`the legitimate upload's answers while 110 bodies trickled: ${statuses.join(' ')}`);
      assert.equal(statuses.at(-1), 200, 'the legitimate upload got through');
      assert.ok(statuses.every((status) => status === 200 || status === 503), 'shed with 503, never a 500');
      assert.equal(await legit.storedSha('legit'), sha256(file));

      const replies = await Promise.all(answers);
      const firstLines = replies.map((text) => text.split('\r\n', 1)[0] ?? '(closed)');
      const closedForSlowness = firstLines.filter((line) => line.startsWith('HTTP/1.1 408')).length;
      const shed = firstLines.filter((line) => line.startsWith('HTTP/1.1 503')).length;
      console.log(`trickling bodies: ${closedForSlowness} closed as too slow (408), ${shed} shed (503), ${110 - closedForSlowness - shed} closed otherwise`);
      assert.ok(closedForSlowness > 0, 'slow bodies were closed');
      assert.ok(firstLines.every((line) => !line.startsWith('HTTP/1.1 500')));
    } finally {
      await ferry.close();
    }
  });

  it('caps the appends one owner has open at once with 503 and Retry-After, and lets a ghost be taken over', async () => {
    const ferry = await forkFerry({ env: { LOG_LEVEL: 'silent', MAX_OWNER_APPENDS: '3' } });
    try {
      const client = new Client(ferry.url);
      await client.ensureOwner();
      const open = await Promise.all([1, 2, 3].map(async (n) => {
        const socket = await openRawAppend(ferry.url, { cookie: client.cookie!, [Header.fileId]: `open-${n}`, [Header.startByte]: '0', [Header.fileSize]: String(MiB), 'content-length': String(MiB) });
        await writeAll(socket, randomFile(1000));
        return socket;
      }));
      await sleep(200);
      const fourth = await client.append('open-4', 0, randomFile(1000), { [Header.fileSize]: String(MiB) });
      assert.equal(fourth.status, 503);
      assert.ok(Number(fourth.headers.get('retry-after')) > 0);
      // The client lost its first connection and resumes that upload: let in, the ghost stops.
      const resumed = await client.append('open-1', 1000, randomFile(1000), { [Header.fileSize]: String(MiB) });
      assert.equal(resumed.status, 200, resumed.text);
      for (const socket of open) socket.destroy();
    } finally {
      await ferry.close();
    }
  });
});
