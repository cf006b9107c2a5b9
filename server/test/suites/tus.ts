// tus 1.0.0 conformance: one test per MUST of the core protocol and of each extension the
// server claims, plus Ferry's own promises (owners, quotas, the offset HEAD reports is accepted).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Problem } from '../../../common/protocol.js';
import { Client, MiB, collectReply, eventually, openRawAppend, randomFile, sha256, writeAll, type Target } from '../helpers.js';

export const TUS_ENV = { MAX_OWNER_BYTES: String(64 * MiB) };
const V = { 'tus-resumable': '1.0.0' };
const STREAM = { 'content-type': 'application/offset+octet-stream' };
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A tus client of one owner: raw requests, the way the spec words them. */
class Tus {
  constructor(readonly client: Client) {}

  send(method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array) {
    return this.client.request(method, path, { ...V, ...headers }, body);
  }

  async create(length: number | 'deferred', metadata = `filename ${b64('scan.dcm')},filetype ${b64('application/dicom')}`): Promise<string> {
    const answer = await this.send('POST', '/uploads/', { ...(length === 'deferred' ? { 'upload-defer-length': '1' } : { 'upload-length': String(length) }), 'upload-metadata': metadata });
    assert.equal(answer.status, 201, answer.text);
    return answer.headers.get('location')!;
  }

  patch(url: string, offset: number, bytes: Uint8Array, headers: Record<string, string> = {}) {
    return this.send('PATCH', url, { ...STREAM, 'upload-offset': String(offset), ...headers }, bytes);
  }
}

const idOf = (url: string) => url.split('/').pop()!;

export function tusSuite(where: string, start: () => Promise<Target>): void {
  describe(`tus 1.0.0: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());
  const tus = () => new Tus(new Client(server.urls));

  it('OPTIONS names the version, the extensions, the maximum size and the checksum algorithms, with no Tus-Resumable needed', async () => {
    const answer = await new Client(server.urls).request('OPTIONS', '/uploads/');
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('tus-version'), '1.0.0');
    assert.deepEqual(answer.headers.get('tus-extension')!.split(',').sort(), ['checksum', 'creation', 'creation-defer-length', 'creation-with-upload', 'expiration', 'termination']);
    assert.ok(Number(answer.headers.get('tus-max-size')) > 0);
    assert.deepEqual(answer.headers.get('tus-checksum-algorithm')!.split(','), ['sha1', 'sha256']);
  });

  it('answers a request without the supported Tus-Resumable with 412 and Tus-Version, and names the version in every answer', async () => {
    const client = new Client(server.urls);
    for (const headers of [{}, { 'tus-resumable': '0.2.2' }] as Array<Record<string, string>>) {
      const answer = await client.request('POST', '/uploads/', { ...headers, 'upload-length': '10' });
      assert.equal(answer.status, 412);
      assert.equal(answer.headers.get('tus-version'), '1.0.0');
      assert.equal(answer.headers.get('tus-resumable'), '1.0.0');
    }
  });

  it('creates with Upload-Length (201 + Location), takes PATCHes at the offset, and lists the file by its metadata', async () => {
    const t = tus();
    const file = randomFile(3 * MiB + 5);
    const url = await t.create(file.length);
    const head = await t.send('HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), '0');
    assert.equal(head.headers.get('upload-length'), String(file.length));
    assert.equal(head.headers.get('cache-control'), 'no-store');
    assert.equal(head.headers.get('tus-resumable'), '1.0.0');
    for (let at = 0; at < file.length; at += 2 * MiB) {
      const answer = await t.patch(url, at, file.subarray(at, at + 2 * MiB));
      assert.equal(answer.status, 204, answer.text);
      assert.equal(answer.headers.get('upload-offset'), String(Math.min(file.length, at + 2 * MiB)));
    }
    const [listed] = (await t.client.list()).filter((entry) => entry.id === idOf(url));
    assert.deepEqual([listed?.name, listed?.type, listed?.size, listed?.sha256], ['scan.dcm', 'application/dicom', file.length, sha256(file)]);
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
    const done = await t.send('HEAD', url);
    assert.equal(done.headers.get('upload-offset'), String(file.length), 'HEAD always answers Upload-Offset, also once complete');
  });

  it('refuses a creation with neither or both length headers (400), or past Tus-Max-Size (413)', async () => {
    const t = tus();
    assert.equal((await t.send('POST', '/uploads/')).status, 400);
    assert.equal((await t.send('POST', '/uploads/', { 'upload-length': '5', 'upload-defer-length': '1' })).status, 400);
    const max = Number((await t.client.request('OPTIONS', '/uploads/')).headers.get('tus-max-size'));
    assert.equal((await t.send('POST', '/uploads/', { 'upload-length': String(max + 1) })).status, 413);
  });

  it('answers a PATCH at another offset with 409 and changes nothing; a PATCH of another type with 415', async () => {
    const t = tus();
    const file = randomFile(MiB);
    const url = await t.create(file.length);
    assert.equal((await t.patch(url, 0, file.subarray(0, 1000))).status, 204);
    for (const offset of [0, 999, 1001]) assert.equal((await t.patch(url, offset, file.subarray(offset, offset + 10))).status, 409);
    assert.equal((await t.send('PATCH', url, { 'content-type': 'application/octet-stream', 'upload-offset': '1000' }, file.subarray(1000))).status, 415);
    assert.equal((await t.send('HEAD', url)).headers.get('upload-offset'), '1000');
    assert.equal((await t.patch(url, 1000, file.subarray(1000))).status, 204);
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
  });

  it('answers HEAD for an unknown, terminated or other owner\'s upload with 404 and no Upload-Offset', async () => {
    const t = tus();
    const url = await t.create(100);
    const stranger = new Tus(new Client(server.urls));
    for (const method of ['HEAD', 'DELETE']) assert.equal((await stranger.send(method, url)).status, 404, method);
    assert.equal((await stranger.patch(url, 0, randomFile(100))).status, 404);
    const unknown = await t.send('HEAD', '/uploads/0123456789abcdef0123456789abcdef');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('upload-offset'), null);
    assert.equal((await t.send('DELETE', url)).status, 204, 'termination');
    assert.equal((await t.send('HEAD', url)).status, 404);
    assert.equal((await t.patch(url, 0, randomFile(100))).status, 404);
  });

  it('creation-with-upload: a POST body goes in at 0, and the 201 carries Upload-Offset', async () => {
    const t = tus();
    const file = randomFile(2 * MiB);
    const answer = await t.send('POST', '/uploads/', { ...STREAM, 'upload-length': String(file.length) }, file.subarray(0, MiB));
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.headers.get('upload-offset'), String(MiB));
    const url = answer.headers.get('location')!;
    assert.equal((await t.patch(url, MiB, file.subarray(MiB))).status, 204);
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
  });

  it('creation-defer-length: HEAD says Upload-Defer-Length: 1 until a PATCH declares Upload-Length, which then ends it', async () => {
    const t = tus();
    const file = randomFile(MiB + 3);
    const url = await t.create('deferred');
    assert.equal((await t.patch(url, 0, file.subarray(0, MiB))).status, 204);
    const head = await t.send('HEAD', url);
    assert.equal(head.headers.get('upload-defer-length'), '1');
    assert.equal(head.headers.get('upload-length'), null);
    assert.equal((await t.patch(url, MiB, file.subarray(MiB), { 'upload-length': String(file.length) })).status, 204);
    assert.equal((await t.send('HEAD', url)).headers.get('upload-length'), String(file.length));
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
  });

  it('expiration: PATCH answers carry a future Upload-Expires date while the upload is unfinished', async () => {
    const t = tus();
    const url = await t.create(2000);
    const answer = await t.patch(url, 0, randomFile(1000));
    const expires = Date.parse(answer.headers.get('upload-expires') ?? '');
    assert.ok(expires > Date.now() + 60_000, answer.headers.get('upload-expires') ?? 'none');
    assert.equal((await t.patch(url, 1000, randomFile(1000))).headers.get('upload-expires'), null, 'a finished upload does not expire');
  });

  it('checksum: sha1 and sha256 Upload-Checksum are checked; a mismatch is 460 and drops the bytes; an unknown algorithm is 400', async () => {
    const t = tus();
    const file = randomFile(3000);
    const url = await t.create(file.length);
    const sum = (algorithm: string, bytes: Uint8Array) => `${algorithm} ${createHash(algorithm).update(bytes).digest('base64')}`;
    assert.equal((await t.patch(url, 0, file.subarray(0, 1000), { 'upload-checksum': sum('sha1', file.subarray(0, 1000)) })).status, 204);
    const bad = await t.patch(url, 1000, file.subarray(1000, 2000), { 'upload-checksum': sum('sha1', file.subarray(0, 1000)) });
    assert.equal(bad.status, 460);
    assert.equal((await t.send('HEAD', url)).headers.get('upload-offset'), '1000', 'the mismatched bytes were dropped');
    assert.equal((await t.patch(url, 1000, file.subarray(1000, 2000), { 'upload-checksum': `md5 ${b64('x')}` })).status, 400);
    assert.equal((await t.patch(url, 1000, file.subarray(1000), { 'upload-checksum': sum('sha256', file.subarray(1000)) })).status, 204);
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
  });

  it('accepts the offset a HEAD answered while a PATCH was live, and refuses a PATCH past Upload-Length with 413', async () => {
    const t = tus();
    await t.client.ensureOwner();
    const file = randomFile(4 * MiB);
    const url = await t.create(file.length);
    const live = await openRawAppend(t.client.next(), { ...V, ...STREAM, cookie: t.client.cookie!, 'upload-offset': '0', 'content-length': String(file.length) }, 'PATCH', url);
    const liveReply = collectReply(live);
    await writeAll(live, file.subarray(0, MiB));
    await eventually(async () => ((await t.client.progress(idOf(url))).offset === MiB ? true : undefined), 5000, 'the bytes to arrive');
    const offset = Number((await t.send('HEAD', url)).headers.get('upload-offset'));
    assert.equal(offset, MiB);
    await writeAll(live, Buffer.alloc(256 * 1024, 0xff)).catch(() => undefined);
    assert.equal((await t.patch(url, offset, file.subarray(offset))).status, 204);
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
    assert.match(await liveReply, /^HTTP\/1\.1 409/);

    const small = await t.create(100);
    assert.equal((await t.patch(small, 0, randomFile(101))).status, 413);
    assert.equal((await t.send('HEAD', small)).headers.get('upload-offset'), '0');
  });

  it('completes at HEAD an upload that holds every byte but whose last PATCH never ended (chaos seed 5, issue 32)', async () => {
    const t = tus();
    await t.client.ensureOwner();
    const file = randomFile(MiB + 17);
    const url = await t.create(file.length);
    // Every byte sent, then the connection cut before the body's end: no answer, nothing completed.
    const cut = await openRawAppend(t.client.next(), { ...V, ...STREAM, cookie: t.client.cookie!, 'upload-offset': '0', 'transfer-encoding': 'chunked' }, 'PATCH', url);
    await writeAll(cut, Buffer.concat([Buffer.from(`${file.length.toString(16)}\r\n`), file, Buffer.from('\r\n')]));
    await eventually(async () => ((await t.client.progress(idOf(url))).offset === file.length ? true : undefined), 5000, 'every byte to arrive');
    cut.destroy();
    // A tus client reads Upload-Offset = Upload-Length and sends nothing more: the file must be there.
    const head = await t.send('HEAD', url);
    assert.equal(head.headers.get('upload-offset'), String(file.length));
    assert.equal(await t.client.storedSha(idOf(url)), sha256(file));
    assert.ok((await t.client.list()).some((listed) => listed.id === idOf(url) && listed.sha256 === sha256(file)), 'listed once complete');
  });

  it('refuses a creation past the owner\'s quota with the quota problem, before a byte is stored', async () => {
    const t = tus();
    const answer = await t.send('POST', '/uploads/', { 'upload-length': String(65 * MiB) });
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.text).type, Problem.quotaExceeded);
  });
  });
}
