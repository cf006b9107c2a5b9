// RFC 9530 digests: a body or a file that is not what the client hashed never counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header, Problem } from '../../../common/protocol.js';
import { digestOf, Client, MiB, collectReply, eventually, openRawAppend, randomFile, sha256, writeAll, type Target } from '../helpers.js';


export function integritySuite(where: string, start: () => Promise<Target>): void {
  describe(`integrity: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  /** A raw append of a whole 4 MiB file under its Content-Digest, from a new owner, body not yet sent. */
  async function openDigestAppend(id: string) {
    const client = new Client(server.urls);
    await client.ensureOwner();
    const file = randomFile(4 * MiB);
    const digestSocket = await openRawAppend(client.next(), {
      cookie: client.cookie!, [Header.fileId]: id, [Header.startByte]: '0', [Header.fileSize]: String(file.length),
      'content-length': String(file.length), [Header.contentDigest]: digestOf(file),
    });
    return { client, file, digestSocket };
  }

  it('accepts a body whose Content-Digest matches, and drops one that does not, keeping the held offset', async () => {
    const client = new Client(server.urls);
    const file = randomFile(3 * MiB);
    const first = file.subarray(0, MiB);
    const ok = await client.append('checked', 0, first, { [Header.fileSize]: String(file.length), [Header.contentDigest]: digestOf(first) });
    assert.equal(ok.status, 200);

    const second = Buffer.from(file.subarray(MiB, 2 * MiB));
    const mangled = Buffer.from(second);
    mangled[12345] = mangled[12345]! ^ 0x01; // one flipped bit on the way
    const bad = await client.append('checked', MiB, mangled, { [Header.contentDigest]: digestOf(second) });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json');
    const problem = JSON.parse(bad.text) as { type: string; status: number; offset: number };
    assert.equal(problem.type, Problem.contentDigestMismatch);
    assert.equal(problem.offset, MiB);
    assert.equal(bad.offset, MiB);
    assert.equal((await client.status('checked')).offset, MiB, 'the mismatched bytes do not count');

    assert.equal((await client.append('checked', MiB, second, { [Header.contentDigest]: digestOf(second) })).status, 200);
    const last = file.subarray(2 * MiB);
    const done = await client.append('checked', 2 * MiB, last, { [Header.contentDigest]: digestOf(last), [Header.reprDigest]: digestOf(file) });
    assert.equal(done.headers.get(Header.uploadComplete), '1');
    assert.equal(await client.storedSha('checked'), sha256(file));
  });

  it('refuses a malformed digest header with 400, and ignores algorithms it does not know', async () => {
    const client = new Client(server.urls);
    const body = randomFile(100);
    const malformed = await client.append('malformed', 0, body, { [Header.contentDigest]: 'sha-256=:not base64:' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.text, /content-digest must carry sha-256/);
    const short = await client.append('malformed', 0, body, { [Header.contentDigest]: 'sha-256=:AAAA:' });
    assert.equal(short.status, 400);
    const unknown = await client.append('malformed', 0, body, { [Header.contentDigest]: 'sha-512=:AAAA:', [Header.fileSize]: '100' });
    assert.equal(unknown.status, 200);
  });

  it('completes and lists as verified only when the whole-file Repr-Digest matches', async () => {
    const client = new Client(server.urls);
    const file = randomFile(2 * MiB);
    await client.append('whole', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length) });
    const wrong = await client.append('whole', MiB, file.subarray(MiB), { [Header.reprDigest]: digestOf(randomFile(10)) });
    assert.equal(wrong.status, 400);
    assert.equal((JSON.parse(wrong.text) as { type: string }).type, Problem.reprDigestMismatch);
    assert.equal((await client.status('whole')).offset, 0, 'the upload was reset, to be sent again');
    assert.deepEqual((await client.list()).filter((entry) => entry.id === 'whole'), [], 'never a completed, listed file');
    assert.equal((await client.download('whole')).status, 404);

    assert.equal((await client.upload('whole', file, MiB, { [Header.reprDigest]: digestOf(file) })).status, 200);
    const [listed] = (await client.list()).filter((entry) => entry.id === 'whole');
    assert.equal(listed?.verified, true);
    assert.equal(listed?.sha256, sha256(file));

    await client.upload('unverified', randomFile(1000), 1000);
    const [plain] = (await client.list()).filter((entry) => entry.id === 'unverified');
    assert.equal(plain?.verified, false, 'a client that sends no digest gets no claim of verification');
  });

  it('a status stops an open digest-carrying append: its unverified bytes are kept, as a cut body\'s, and that offset is accepted', async () => {
    const { client, file, digestSocket } = await openDigestAppend('stopped-digest');
    const reply = collectReply(digestSocket);
    await writeAll(digestSocket, file.subarray(0, 2 * MiB));
    await eventually(async () => ((await client.progress('stopped-digest')).headers.get(Header.uploadReceived) === String(2 * MiB) ? true : undefined), 5000, 'the bytes to arrive');
    const { offset } = await client.status('stopped-digest');
    assert.equal(offset, 2 * MiB);
    await writeAll(digestSocket, Buffer.alloc(256 * 1024, 0xff)).catch(() => undefined);
    const rest = file.subarray(offset!);
    const resumed = await client.append('stopped-digest', offset!, rest, { [Header.contentDigest]: digestOf(rest), [Header.reprDigest]: digestOf(file) });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(await client.storedSha('stopped-digest'), sha256(file));
    assert.match(await reply, /^HTTP\/1\.1 409/);
  });

  it('reports an open digest-carrying append as received, not as held, until it is verified', async () => {
    const { client, file, digestSocket } = await openDigestAppend('pending2');
    digestSocket.on('error', () => undefined);
    await writeAll(digestSocket, file.subarray(0, 2 * MiB));
    // Progress shows what arrived (once the server has read it: an S3 store opens the upload first)…
    const mid = await eventually(async () => {
      const answer = await client.progress('pending2');
      return answer.headers.get(Header.uploadReceived) === String(2 * MiB) ? answer : undefined;
    }, 5000, 'status to show the 2 MiB that arrived');
    assert.equal(mid.offset, 0, '…but unverified bytes do not count');
    // A connection cut mid-body cannot be verified; its bytes are kept (docs/design.md §1.4: resume stays cheap, Repr-Digest guards the file).
    digestSocket.destroy();
    await eventually(async () => ((await client.status('pending2')).offset === 2 * MiB ? true : undefined), 3000, 'the cut bytes to be kept');
  });
  });
}
