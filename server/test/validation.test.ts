// Validation at the door: bad headers, hostile ids and oversize bodies get a clear
// answer, and nothing already held is lost.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, MiB, openRawAppend, randomFile, sha256, startServer, tempDir, writeAll, type TestServer } from './helpers.js';

describe('validation at the door', () => {
  let server: TestServer;
  let parent: string;
  before(async () => {
    parent = await tempDir('ferry-parent-');
    server = await startServer({ DATA_DIR: path.join(parent, 'data'), MAX_UPLOAD_BYTES: String(8 * MiB) });
  });
  after(() => server.close());

  const badHeaders: Array<[string, Record<string, string>, RegExp]> = [
    ['a missing id', {}, /x-file-id is missing/],
    ['an empty id', { [Header.fileId]: '' }, /x-file-id is missing or empty/],
    ['an id of 1,025 characters', { [Header.fileId]: 'x'.repeat(1025) }, /longer than 1024/],
    ['a negative start', { [Header.fileId]: 'a', [Header.startByte]: '-1' }, /x-start-byte must be a plain/],
    ['a fractional start', { [Header.fileId]: 'a', [Header.startByte]: '1.5' }, /x-start-byte must be a plain/],
    ['a hex start', { [Header.fileId]: 'a', [Header.startByte]: '0x10' }, /x-start-byte must be a plain/],
    ['an exponent start', { [Header.fileId]: 'a', [Header.startByte]: '1e3' }, /x-start-byte must be a plain/],
    ['a start with a sign', { [Header.fileId]: 'a', [Header.startByte]: '+5' }, /x-start-byte must be a plain/],
    ['a start past 2^53', { [Header.fileId]: 'a', [Header.startByte]: '9007199254740993' }, /at most 9007199254740991/],
    ['a start of 17 digits', { [Header.fileId]: 'a', [Header.startByte]: '12345678901234567' }, /x-start-byte must be a plain/],
    ['an empty start', { [Header.fileId]: 'a', [Header.startByte]: '' }, /x-start-byte must be a plain/],
    ['a size that is not a number', { [Header.fileId]: 'a', [Header.fileSize]: 'big' }, /x-file-size must be a plain/],
    ['a size past 2^53', { [Header.fileId]: 'a', [Header.fileSize]: '9999999999999999' }, /x-file-size must be at most/],
    ['a name that is not percent-encoded UTF-8', { [Header.fileId]: 'a', [Header.fileName]: '%E0%A4%A' }, /percent-encoded UTF-8/],
    ['a type that is not a media type', { [Header.fileId]: 'a', [Header.fileType]: 'not a type' }, /media type/],
  ];

  for (const [what, headers, reason] of badHeaders) {
    it(`answers ${what} with 400 and a one-line reason`, async () => {
      const client = new Client(server.url);
      const answer = await client.request('POST', '/upload', headers, randomFile(100));
      assert.equal(answer.status, 400);
      assert.match(answer.text, reason);
      assert.equal(answer.text.trim().split('\n').length, 1, 'one line');
      if (headers[Header.fileId] === 'a') assert.equal((await client.status('a')).offset, 0, 'nothing was stored');
    });
  }

  it('answers a status with a bad id with 400', async () => {
    const client = new Client(server.url);
    assert.equal((await client.request('GET', '/status', {})).status, 400);
    assert.equal((await client.request('GET', '/status', { [Header.fileId]: 'y'.repeat(1025) })).status, 400);
    const marked = await client.request('GET', '/status', { [Header.fileId]: 'y', [Header.progressPoll]: 'yes' });
    assert.equal(marked.status, 400);
    assert.match(marked.text, /x-progress-poll must be 1/);
  });

  it('answers a size that disagrees with the recorded one with 400, and keeps the bytes', async () => {
    const client = new Client(server.url);
    const file = randomFile(2 * MiB);
    await client.append('sized', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length) });
    const answer = await client.append('sized', MiB, file.subarray(MiB), { [Header.fileSize]: String(file.length + 1) });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /disagrees with the size recorded earlier/);
    assert.equal((await client.status('sized')).offset, MiB);
    assert.equal((await client.append('sized', MiB, file.subarray(MiB), { [Header.fileSize]: String(file.length) })).status, 200);
    assert.equal(await client.storedSha('sized'), sha256(file));
  });

  it('treats hostile ids as names: each is its own upload, and nothing lands outside DATA_DIR', async () => {
    const client = new Client(server.url);
    const ids = ['../../x', '..', '.', '/etc/passwd', 'a\\b', '%2e%2e%2f', 'C:\\Windows\\win.ini', 'é'.repeat(10), 'z'.repeat(1024)];
    const files = new Map(ids.map((id) => [id, randomFile(1000 + id.length)] as const));
    for (const [id, file] of files) {
      const headerId = /^[\x20-\x7e]*$/.test(id) ? id : encodeURIComponent(id);
      const answer = await client.upload(headerId, file, 600);
      assert.equal(answer.status, 200, `${id}: ${answer.text}`);
      assert.equal(await client.storedSha(headerId), sha256(file), `${id} comes back byte for byte`);
    }
    assert.deepEqual(await readdir(parent), ['data'], 'nothing was written beside the data directory');
    for (const name of await walk(path.join(parent, 'data'))) {
      assert.match(name, /^(partial|complete|[0-9a-f]{64}|data|meta\.json|owner-secret|vapid\.json)$/, `only hashed names on disk, got ${name}`);
    }
  });

  it('answers a body past X-File-Size with 413 and stores nothing past the size', async () => {
    const client = new Client(server.url);
    const file = randomFile(MiB);
    await client.append('too-long', 0, file.subarray(0, 1000), { [Header.fileSize]: String(file.length) });
    const answer = await client.append('too-long', 1000, randomFile(file.length), { [Header.fileSize]: String(file.length) });
    assert.equal(answer.status, 413);
    assert.match(answer.text, /past x-file-size/);
    assert.equal(answer.offset, 1000);
    assert.equal((await client.status('too-long')).offset, 1000, 'what was held is still held');
    assert.equal((await client.append('too-long', 1000, file.subarray(1000))).status, 200);
    assert.equal(await client.storedSha('too-long'), sha256(file));
  });

  it('answers a chunked body that runs past the size with 413, dropping only that request', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(3 * MiB);
    await client.append('chunked', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length) });
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, [Header.fileId]: 'chunked', [Header.startByte]: String(MiB), 'transfer-encoding': 'chunked',
    });
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (data) => (text += data.toString('latin1'))).on('close', () => resolve(text));
    });
    const body = randomFile(4 * MiB); // 1 MiB more than fits
    for (let at = 0; at < body.length && !socket.destroyed; at += 256 * 1024) {
      const piece = body.subarray(at, at + 256 * 1024);
      await writeAll(socket, Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])).catch(() => undefined);
    }
    if (!socket.destroyed) socket.end('0\r\n\r\n');
    assert.match(await answer, /^HTTP\/1\.1 413/);
    assert.equal((await client.status('chunked')).offset, MiB);
    assert.equal((await client.upload('chunked', file, MiB, {}, MiB)).status, 200);
    assert.equal(await client.storedSha('chunked'), sha256(file));
  });

  it('answers an upload past MAX_UPLOAD_BYTES with 413', async () => {
    const client = new Client(server.url);
    const declared = await client.append('huge', 0, randomFile(10), { [Header.fileSize]: String(9 * MiB) });
    assert.equal(declared.status, 413);
    assert.match(declared.text, /limited to 8388608 bytes/);
    assert.equal(declared.headers.get(Header.uploadLimit), String(8 * MiB), 'the limit is machine-readable too');
    const unsized = await client.append('huge', 0, randomFile(9 * MiB));
    assert.equal(unsized.status, 413);
    assert.equal((await client.status('huge')).offset, 0);
  });

  it('answers unknown methods with 405 and an Allow header', async () => {
    const client = new Client(server.url);
    const answer = await client.request('PUT', '/upload', { [Header.fileId]: 'a' }, randomFile(10));
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST, DELETE');
  });
});

async function walk(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    names.push(entry.name);
    if (entry.isDirectory()) names.push(...(await walk(path.join(dir, entry.name))));
  }
  return names;
}
