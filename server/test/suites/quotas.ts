// Quotas (issue 15): what one owner may keep and open is bounded, refused before a byte is
// stored, with a problem a client can show as a sentence. Run with QUOTA_ENV.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header, Problem, Route, type QuotaFacts, type QuotaReport } from '../../../common/protocol.js';
import { Client, MiB, collectReply, openRawAppend, randomFile, sha256, type Target } from '../helpers.js';

export const QUOTA_ENV = { MAX_OWNER_UPLOADS: '3', MAX_OWNER_BYTES: String(10 * MiB) };

/** A 413 quota-exceeded problem naming `quota` and its limit, with nothing stored. */
function assertQuota(answer: { status: number; text: string; headers: Headers }, quota: 'bytes' | 'uploads', limit: number, facts: Partial<QuotaFacts> = {}): void {
  assert.equal(answer.status, 413, answer.text);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json');
  const problem = JSON.parse(answer.text) as QuotaFacts & { type: string; detail: string };
  assert.equal(problem.type, Problem.quotaExceeded);
  assert.equal(problem.quota, quota);
  assert.equal(problem.limit, limit);
  // The facts beside the English sentence, for a page to say it in its reader's language.
  for (const [name, value] of Object.entries(facts)) assert.equal(problem[name as keyof QuotaFacts], value, name);
  assert.match(problem.detail, /\.$/, 'a sentence for people');
}

export function quotaSuite(where: string, start: () => Promise<Target>): void {
  describe(`quotas: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  it('refuses an owner\'s fourth unfinished upload with MAX_OWNER_UPLOADS=3, and takes it once a cancel frees room', async () => {
    const client = new Client(server.urls);
    for (const n of [1, 2, 3]) assert.equal((await client.append(`open-${n}`, 0, randomFile(1000), { [Header.fileSize]: String(MiB) })).status, 200);
    const fourth = await client.append('open-4', 0, randomFile(1000), { [Header.fileSize]: String(MiB) });
    assertQuota(fourth, 'uploads', 3, { used: 3 });
    assert.equal((await client.status('open-4')).offset, 0, 'nothing was stored');
    // Other owners are not held back by this one.
    assert.equal((await new Client(server.urls).append('open-4', 0, randomFile(1000), { [Header.fileSize]: String(MiB) })).status, 200);

    assert.equal((await client.cancel('open-2')).status, 204);
    const file = randomFile(MiB);
    assert.equal((await client.upload('open-4', file, MiB)).status, 200);
    assert.equal(await client.storedSha('open-4'), sha256(file));
  });

  it('refuses a declared size past MAX_OWNER_BYTES before a byte is stored, counting complete files too', async () => {
    const client = new Client(server.urls);
    const first = randomFile(4 * MiB);
    assert.equal((await client.upload('first', first, 2 * MiB)).status, 200);
    const tooBig = await client.append('second', 0, randomFile(1000), { [Header.fileSize]: String(7 * MiB) });
    assertQuota(tooBig, 'bytes', 10 * MiB, { used: 4 * MiB, size: 7 * MiB });
    assert.equal((await client.status('second')).offset, 0);

    const fits = randomFile(6 * MiB);
    assert.equal((await client.upload('fits', fits, 3 * MiB)).status, 200, 'exactly up to the quota is fine');
    assert.equal((await client.cancel('first')).status, 204);
    const second = randomFile(4 * MiB);
    assert.equal((await client.upload('second', second, 4 * MiB)).status, 200, 'a deleted file frees its bytes');
    assert.equal(await client.storedSha('second'), sha256(second));
  });

  it('GET /quota tells each owner what is left of their own quotas, before any refusal', async () => {
    const client = new Client(server.urls);
    await client.ensureOwner();
    const report = async (who: Client) => JSON.parse((await who.request('GET', Route.quota)).text) as QuotaReport;
    assert.deepEqual(await report(client), { bytes: { limit: 10 * MiB, used: 0 }, uploads: { limit: 3, used: 0 }, files: { limit: 10_000, used: 0 } });
    const file = randomFile(2 * MiB);
    assert.equal((await client.upload('counted', file, MiB)).status, 200);
    assert.equal((await client.append('under-way', 0, randomFile(1000), { [Header.fileSize]: String(MiB) })).status, 200);
    assert.deepEqual(await report(client), { bytes: { limit: 10 * MiB, used: 3 * MiB }, uploads: { limit: 3, used: 1 }, files: { limit: 10_000, used: 1 } });
    const other = new Client(server.urls);
    await other.ensureOwner();
    assert.equal((await report(other)).bytes.used, 0, 'another owner sees only their own');
  });

  it('answers "Expect: 100-continue" past the quota with the 413 itself, never inviting the body', async () => {
    const client = new Client(server.urls);
    await client.ensureOwner();
    const socket = await openRawAppend(client.next(), {
      cookie: client.cookie!, [Header.fileId]: 'expecting-too-much', [Header.startByte]: '0',
      [Header.fileSize]: String(11 * MiB), 'content-length': String(11 * MiB), expect: '100-continue',
    });
    const reply = await collectReply(socket);
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.match(reply, /quota-exceeded/);
  });
  });
}
