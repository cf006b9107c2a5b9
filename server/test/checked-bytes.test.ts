// The filesystem store keeps how far every byte was checked against a client's digest
// (X-Upload-Checked), so a file can be verified by its chunks without a whole-file digest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header, Problem } from '../../common/protocol.js';
import { hashedFromFiles } from '../hash-thread.js';
import { digestOf, Client, collectReply, eventually, MiB, openRawAppend, randomFile, sha256, sleep, spawnServer, tempDir, writeAll, type TestServer, startServer } from './helpers.js';

const checkedOf = async (client: Client, id: string) => Number((await client.status(id)).headers.get(Header.uploadChecked));

describe('checked bytes (filesystem store)', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('moves the checked mark with each digest-checked append, and verifies the file by its chunks alone', async () => {
    const client = new Client(server.url);
    const file = randomFile(3 * MiB);
    const size = { [Header.fileSize]: String(file.length) };
    for (let start = 0; start < file.length; start += MiB) {
      const body = file.subarray(start, start + MiB);
      const answer = await client.append('chunks', start, body, { ...size, [Header.contentDigest]: digestOf(body) });
      assert.equal(answer.status, 200, answer.text);
      if (start + MiB < file.length) assert.equal(await checkedOf(client, 'chunks'), start + MiB);
      else assert.equal(answer.headers.get(Header.uploadVerified), '1', 'every byte was checked: no Repr-Digest needed');
    }
    const [listed] = (await client.list()).filter((entry) => entry.id === 'chunks');
    assert.equal(listed?.verified, true);
    assert.equal(await client.storedSha('chunks'), sha256(file));
  });

  it('never verifies a file with a stretch no digest covered', async () => {
    const client = new Client(server.url);
    const file = randomFile(2 * MiB);
    const first = file.subarray(0, MiB);
    await client.append('gap', 0, first, { [Header.fileSize]: String(file.length) }); // no Content-Digest
    assert.equal(await checkedOf(client, 'gap'), 0);
    const rest = file.subarray(MiB);
    const done = await client.append('gap', MiB, rest, { [Header.contentDigest]: digestOf(rest) });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get(Header.uploadVerified), null);
    const [listed] = (await client.list()).filter((entry) => entry.id === 'gap');
    assert.equal(listed?.verified, false);
  });

  it('takes a proof of what a cut body left, and drops those bytes when the proof does not match', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(4 * MiB);
    const first = file.subarray(0, MiB);
    await client.append('cut', 0, first, { [Header.fileSize]: String(file.length), [Header.contentDigest]: digestOf(first) });
    // A 2 MiB body cut after 1.5 MiB: those bytes are kept, unchecked.
    const body = file.subarray(MiB, 3 * MiB);
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, [Header.fileId]: 'cut', [Header.startByte]: String(MiB), 'content-length': String(body.length), [Header.contentDigest]: digestOf(body),
    });
    socket.on('error', () => undefined);
    await writeAll(socket, body.subarray(0, 1.5 * MiB));
    await eventually(async () => ((await client.progress('cut')).headers.get(Header.uploadReceived) === String(2.5 * MiB) ? true : undefined), 5000, 'the bytes to arrive');
    socket.destroy();
    const held = await eventually(async () => {
      const answer = await client.status('cut');
      return answer.offset === 2.5 * MiB ? answer : undefined;
    }, 3000, 'the cut bytes to be kept');
    assert.equal(held.headers.get(Header.uploadChecked), String(MiB));

    // A wrong proof: 409 at the checked offset, and the unchecked bytes are gone.
    const rest = file.subarray(2.5 * MiB);
    const refused = await client.append('cut', 2.5 * MiB, rest, { [Header.contentDigest]: digestOf(rest), [Header.checkedDigest]: digestOf(randomFile(10)) });
    assert.equal(refused.status, 409);
    assert.equal(refused.offset, MiB);
    assert.equal(JSON.parse(refused.text).type, Problem.checkedDigestMismatch, 'a problem the client can tell from an offset conflict');
    assert.equal((await client.status('cut')).offset, MiB);

    // Sent again from there: the file completes verified, with no Repr-Digest.
    const again = file.subarray(MiB, 2 * MiB);
    assert.equal((await client.append('cut', MiB, again, { [Header.contentDigest]: digestOf(again) })).status, 200);
    const tail = file.subarray(2 * MiB);
    const done = await client.append('cut', 2 * MiB, tail, { [Header.contentDigest]: digestOf(tail) });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.headers.get(Header.uploadVerified), '1');
    assert.equal(await client.storedSha('cut'), sha256(file));
  });

  it('accepts a matching proof of cut bytes and counts them as checked', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(3 * MiB);
    const body = file.subarray(0, 2 * MiB);
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, [Header.fileId]: 'proven', [Header.startByte]: '0', [Header.fileSize]: String(file.length),
      'content-length': String(body.length), [Header.contentDigest]: digestOf(body),
    });
    const reply = collectReply(socket);
    await writeAll(socket, body.subarray(0, MiB));
    await eventually(async () => ((await client.progress('proven')).headers.get(Header.uploadReceived) === String(MiB) ? true : undefined), 5000, 'the bytes to arrive');
    const { offset } = await client.status('proven'); // stops the open append, keeping its bytes
    assert.equal(offset, MiB);
    await reply.catch(() => undefined);
    assert.equal(await checkedOf(client, 'proven'), 0);
    const rest = file.subarray(MiB);
    const done = await client.append('proven', MiB, rest, { [Header.contentDigest]: digestOf(rest), [Header.checkedDigest]: digestOf(file.subarray(0, MiB)) });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.headers.get(Header.uploadVerified), '1');
  });
});

describe('checked bytes across a killed server', () => {
  it('keeps the checked mark through SIGKILL and restart', async () => {
    const dataDir = await tempDir();
    let ferry = await spawnServer(dataDir);
    try {
      const client = new Client(ferry.url);
      const file = randomFile(2 * MiB);
      const first = file.subarray(0, MiB);
      await client.append('kept', 0, first, { [Header.fileSize]: String(file.length), [Header.contentDigest]: digestOf(first) });
      ferry = await ferry.restart();
      const moved = client.at(ferry.url);
      assert.equal(await checkedOf(moved, 'kept'), MiB);
      const rest = file.subarray(MiB);
      const done = await moved.append('kept', MiB, rest, { [Header.contentDigest]: digestOf(rest) });
      assert.equal(done.headers.get(Header.uploadVerified), '1');
    } finally {
      await ferry.close();
    }
  });
});

describe('refused bodies and the shared hashing thread (issue 28, H1)', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('rolls the running hash back to where the body began, instead of re-hashing everything held', async () => {
    const client = new Client(server.url);
    const held = randomFile(48 * MiB);
    assert.equal((await client.append('big', 0, held, { [Header.fileSize]: String(64 * MiB) })).status, 200);
    const before = hashedFromFiles.bytes;
    for (let round = 0; round < 5; round++) {
      const refused = await client.append('big', held.length, Buffer.from([round]), { [Header.contentDigest]: digestOf(Buffer.from('other')) });
      assert.equal(refused.status, 400);
      assert.equal((await client.append('big', held.length, Buffer.alloc(0))).status, 200);
    }
    // Before the fix, each pair re-hashed the 48 MiB held: 240 MiB in all.
    assert.ok(hashedFromFiles.bytes - before < MiB, `hashed ${hashedFromFiles.bytes - before} bytes of stored files for five refused bytes`);
    const rest = randomFile(16 * MiB);
    const done = await client.append('big', held.length, rest);
    assert.equal(done.status, 200, done.text);
    assert.equal(await client.storedSha('big'), sha256(Buffer.concat([held, rest])), 'the rolled-back hash is the file\'s');
  });

  it('rolls back to the checked mark after a refused proof, and the file still hashes right', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(4 * MiB);
    const first = file.subarray(0, 2 * MiB);
    await client.append('proof', 0, first, { [Header.fileSize]: String(file.length), [Header.contentDigest]: digestOf(first) });
    await client.append('proof', 2 * MiB, file.subarray(2 * MiB, 3 * MiB)); // unchecked, as a cut body leaves them
    const before = hashedFromFiles.bytes;
    const rest = file.subarray(3 * MiB);
    const refused = await client.append('proof', 3 * MiB, rest, { [Header.contentDigest]: digestOf(rest), [Header.checkedDigest]: digestOf(Buffer.from('wrong')) });
    assert.equal(refused.status, 409);
    assert.equal(refused.offset, 2 * MiB);
    const again = file.subarray(2 * MiB);
    assert.equal((await client.append('proof', 2 * MiB, again, { [Header.contentDigest]: digestOf(again) })).status, 200);
    // The proof reads the 1 MiB it covers, and each body is hashed as it is stored (1 + 2 MiB):
    // nothing before the checked mark is read again (before the fix, its 2 MiB were).
    assert.ok(hashedFromFiles.bytes - before <= 4 * MiB, `hashed ${hashedFromFiles.bytes - before} bytes of stored files`);
    assert.equal(await client.storedSha('proof'), sha256(file));
  });

  it('answers a refused proof after reading the body, on a connection still open (issue 32)', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(6 * MiB);
    await client.append('late', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length), [Header.contentDigest]: digestOf(file.subarray(0, MiB)) });
    await client.append('late', MiB, file.subarray(MiB, 2 * MiB)); // unchecked
    const body = file.subarray(2 * MiB); // 4 MiB: past what a refusal would drain
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, [Header.fileId]: 'late', [Header.startByte]: String(2 * MiB), 'content-length': String(body.length),
      [Header.checkedDigest]: digestOf(Buffer.from('wrong')), connection: 'keep-alive',
    });
    let early = '';
    socket.on('data', (data) => (early += data.toString('latin1')));
    const reply = collectReply(socket);
    await writeAll(socket, body.subarray(0, MiB));
    await sleep(300);
    assert.equal(early, '', 'nothing is answered while the body still comes: Chromium would see a reset, not the problem');
    await writeAll(socket, body.subarray(MiB));
    await eventually(async () => (early.includes('\r\n\r\n{') && early.includes('}') ? true : undefined), 5000, 'the answer');
    socket.destroy();
    const text = early || (await reply);
    assert.match(text, /^HTTP\/1\.1 409/);
    assert.doesNotMatch(text, /connection: close/i);
    assert.match(text, new RegExp(Problem.checkedDigestMismatch.replaceAll('/', '\\/')));
    assert.equal((await client.status('late')).offset, MiB, 'the unproven bytes and the body behind them are dropped');
  });
});
