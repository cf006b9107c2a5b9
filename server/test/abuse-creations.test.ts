// Issue 28: failed creations keep nothing (M3), a body past the byte quota says so (L3), a tus
// creation's body of another type is not upload data (L4), and an IETF last append that ends short
// of its length is inconsistent (L5).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Header, Problem } from '../../common/protocol.js';
import { Client, MiB, collectReply, digestOf, openRawAppend, randomFile, sha256, startServer, writeAll, type TestServer } from './helpers.js';

const TUS = { 'tus-resumable': '1.0.0' };
const IETF = { 'upload-draft-interop-version': '8' };
const sha1Of = (bytes: Uint8Array) => `sha1 ${createHash('sha1').update(bytes).digest('base64')}`;

/**
 * Send `body` chunked on a raw socket, pieces and the last chunk in one write (so a server that
 * answers early has read it all: unread bytes at its close would reset the answer away), and give
 * back the whole answer. The socket is not half-closed: Node's server takes that as the client gone.
 */
async function sendChunked(socket: import('node:net').Socket, body: Buffer): Promise<string> {
  const reply = collectReply(socket);
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += 256 * 1024) {
    const piece = body.subarray(at, at + 256 * 1024);
    pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  await writeAll(socket, Buffer.concat([...pieces, Buffer.from('0\r\n\r\n')])).catch(() => undefined);
  return reply;
}

describe('creations and bodies under abuse (issue 28)', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ MAX_OWNER_UPLOADS: '3', MAX_OWNER_BYTES: String(4 * MiB) })));
  after(() => server.close());

  /** The partial uploads the server keeps for `client`'s owner (the owner key is a hash of the cookie's token). */
  const partialsOf = async (client: Client) => {
    const token = decodeURIComponent(client.cookie!.split('=', 2)[1]!);
    const owner = createHash('sha256').update(`ferry-owner:${token}`).digest('hex');
    return (await readdir(path.join(server.dataDir, 'partial', owner)).catch(() => [])).length;
  };

  it('M3: failed creations keep nothing, so they never lock an owner out', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const body = randomFile(1000);
    for (let n = 0; n < 4; n++) {
      const tus460 = await client.request('POST', '/uploads/', { ...TUS, 'upload-length': String(MiB), 'content-type': 'application/offset+octet-stream', 'upload-checksum': sha1Of(Buffer.from('other')) }, body);
      assert.equal(tus460.status, 460, tus460.text);
      assert.equal(tus460.headers.get('location'), null);
      const ietf400 = await client.request('POST', '/uploads/', { ...IETF, 'upload-complete': '?0', 'upload-length': String(MiB), [Header.contentDigest]: digestOf(Buffer.from('other')) }, body);
      assert.equal(ietf400.status, 400, ietf400.text);
      assert.equal(JSON.parse(ietf400.text).type, Problem.contentDigestMismatch);
    }
    assert.equal(await partialsOf(client), 0, 'nothing was left behind');
    // A creation past the size, chunked: 413, and nothing kept either.
    const socket = await openRawAppend(server.url, { cookie: client.cookie!, ...TUS, 'upload-length': '1000', 'content-type': 'application/offset+octet-stream', 'transfer-encoding': 'chunked' }, 'POST', '/uploads/');
    assert.match(await sendChunked(socket, randomFile(3000)), /^HTTP\/1\.1 413/);
    assert.equal(await partialsOf(client), 0);
    // The owner's three places are all still free.
    const file = randomFile(MiB);
    for (let n = 0; n < 3; n++) {
      const created = await client.request('POST', '/uploads/', { ...TUS, 'upload-length': String(MiB) });
      assert.equal(created.status, 201, created.text);
      const url = created.headers.get('location')!;
      const done = await client.request('PATCH', url, { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, file);
      assert.equal(done.status, 204, done.text);
    }
    assert.equal((await client.list()).filter((entry) => entry.sha256 === sha256(file)).length, 3);
  });

  it('L3: a body of no stated length that runs past the byte quota is a quota-exceeded problem', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    for (const [route, headers] of [
      ['/uploads/', { ...TUS, 'upload-defer-length': '1', 'content-type': 'application/offset+octet-stream' }],
      ['/uploads/', { ...IETF, 'upload-complete': '?0' }],
      ['/upload', { [Header.fileId]: 'sizeless', [Header.startByte]: '0' }],
    ] as const) {
      const socket = await openRawAppend(server.url, { cookie: client.cookie!, ...headers, 'transfer-encoding': 'chunked' }, 'POST', route);
      const answer = await sendChunked(socket, randomFile(5 * MiB));
      assert.match(answer, /^HTTP\/1\.1 413/, `${route}: ${answer.slice(0, 200)}`);
      assert.match(answer, new RegExp(Problem.quotaExceeded.replaceAll('/', '\\/')), `${route}: ${answer.slice(0, 400)}`);
    }
    assert.equal((await client.status('sizeless')).offset, 0);
  });

  it('L4: a tus creation whose body is not application/offset+octet-stream stores nothing', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const answer = await client.request('POST', '/uploads/', { ...TUS, 'upload-length': '100', 'content-type': 'text/plain' }, randomFile(100));
    assert.equal(answer.status, 415, answer.text);
    assert.equal(answer.headers.get('location'), null);
    assert.equal(await partialsOf(client), 0);
  });

  it('L5: an IETF last append, chunked, that ends short of the length is 400 inconsistent-upload-length', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const created = await client.request('POST', '/uploads/', { ...IETF, 'upload-complete': '?0', 'upload-length': '3000' }, randomFile(1000));
    assert.equal(created.status, 201, created.text);
    const url = created.headers.get('location')!;
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, ...IETF, 'upload-complete': '?1', 'upload-offset': '1000', 'content-type': 'application/partial-upload', 'transfer-encoding': 'chunked',
    }, 'PATCH', url);
    const answer = await sendChunked(socket, randomFile(500));
    assert.match(answer, /^HTTP\/1\.1 400/, answer.slice(0, 300));
    assert.match(answer, /inconsistent-upload-length/);
    const head = await client.request('HEAD', url, IETF);
    assert.equal(head.headers.get('upload-offset'), '1500', 'the bytes that came are kept');
    assert.equal(head.headers.get('upload-complete'), '?0');
  });
});

describe('empty files are bounded (issue 28, L6)', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ MAX_OWNER_FILES: '3' })));
  after(() => server.close());

  it('refuses a fourth completed file with MAX_OWNER_FILES=3, empty or not, until one is deleted', async () => {
    const client = new Client(server.url);
    for (const n of [1, 2, 3]) assert.equal((await client.append(`empty-${n}`, 0, Buffer.alloc(0), { [Header.fileSize]: '0' })).status, 200);
    const fourth = await client.append('empty-4', 0, Buffer.alloc(0), { [Header.fileSize]: '0' });
    assert.equal(fourth.status, 413, fourth.text);
    const problem = JSON.parse(fourth.text) as { type: string; quota: string; limit: number };
    assert.deepEqual([problem.type, problem.quota, problem.limit], [Problem.quotaExceeded, 'files', 3]);
    assert.equal((await client.request('DELETE', '/upload', { [Header.fileId]: 'empty-1' })).status, 204);
    const file = randomFile(1000);
    assert.equal((await client.upload('after-delete', file, 1000)).status, 200);
    assert.equal(await client.storedSha('after-delete'), sha256(file));
  });
});
