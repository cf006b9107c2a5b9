// The IETF Resumable Uploads draft, interop versions 6 and 8: creation, offset retrieval, append,
// the mismatch problem, the length rules, limits and cancellation, one test per requirement,
// plus Ferry's promises (owners, digests, the offset HEAD reports is accepted).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { digestOf, Client, MiB, collectReply, eventually, openRawAppend, randomFile, sha256, writeAll, type Target } from '../helpers.js';

const PROBLEMS = 'https://iana.org/assignments/http-problem-types#';
const PARTIAL = { 'content-type': 'application/partial-upload' };

class Draft {
  constructor(readonly client: Client, readonly interop: '6' | '8' | '9') {}

  send(method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array) {
    return this.client.request(method, path, { 'upload-draft-interop-version': this.interop, ...headers }, body);
  }

  async create(headers: Record<string, string>, body: Uint8Array = new Uint8Array(0), method = 'POST') {
    const answer = await this.send(method, '/uploads/', headers, body);
    return { answer, url: answer.headers.get('location') ?? '' };
  }

  append(url: string, offset: number, bytes: Uint8Array, complete: boolean, headers: Record<string, string> = {}) {
    return this.send('PATCH', url, { ...PARTIAL, 'upload-offset': String(offset), 'upload-complete': complete ? '?1' : '?0', ...headers }, bytes);
  }
}

const idOf = (url: string) => url.split('/').pop()!;

export function ietfSuite(where: string, start: () => Promise<Target>): void {
  for (const interop of ['6', '8', '9'] as const) {
  describe(`IETF draft, interop ${interop}: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());
  const draft = () => new Draft(new Client(server.urls), interop);

  it('creates from any request with content and Upload-Complete: ?0 → 201 with Location and Upload-Limit', async () => {
    for (const method of ['POST', 'PUT']) {
      const d = draft();
      const file = randomFile(2 * MiB);
      const { answer, url } = await d.create({ 'upload-complete': '?0', 'upload-length': String(file.length), 'content-disposition': 'inline; filename="survey.mov"', 'content-type': 'video/quicktime' }, file.subarray(0, MiB), method);
      assert.equal(answer.status, 201, answer.text);
      assert.match(url, /^\/uploads\/[0-9a-f]{32}$/);
      assert.match(answer.headers.get('upload-limit') ?? '', /max-size=\d+/);
      assert.match(answer.headers.get('upload-limit') ?? '', interop === '6' ? /expires=\d+/ : /max-age=\d+/);
      assert.equal((await d.append(url, MiB, file.subarray(MiB), true)).status, 200);
      const [listed] = (await d.client.list()).filter((entry) => entry.id === idOf(url));
      assert.deepEqual([listed?.name, listed?.type, listed?.sha256], ['survey.mov', 'video/quicktime', sha256(file)]);
    }
  });

  it('completes in one request with Upload-Complete: ?1 (200, Upload-Complete: ?1), the length taken from Content-Length', async () => {
    const d = draft();
    const file = randomFile(MiB + 7);
    const { answer, url } = await d.create({ 'upload-complete': '?1' }, file);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('upload-complete'), '?1');
    const head = await d.send('HEAD', url);
    assert.deepEqual([head.headers.get('upload-complete'), head.headers.get('upload-offset'), head.headers.get('upload-length')], ['?1', String(file.length), String(file.length)]);
    assert.equal(await d.client.storedSha(idOf(url)), sha256(file));
  });

  it('answers HEAD with Upload-Offset, Upload-Complete, Upload-Length, Upload-Limit and no-store; 404 once cancelled or for another owner', async () => {
    const d = draft();
    const { url } = await d.create({ 'upload-complete': '?0', 'upload-length': '5000' }, randomFile(1000));
    const head = await d.send('HEAD', url);
    assert.ok(head.status === 204 || head.status === 200);
    assert.deepEqual([head.headers.get('upload-offset'), head.headers.get('upload-complete'), head.headers.get('upload-length')], ['1000', '?0', '5000']);
    assert.match(head.headers.get('upload-limit') ?? '', /max-size=/);
    assert.equal(head.headers.get('cache-control'), 'no-store');
    assert.equal((await new Draft(new Client(server.urls), interop).send('HEAD', url)).status, 404, 'another owner');
    assert.equal((await d.send('DELETE', url)).status, 204);
    assert.equal((await d.send('HEAD', url)).status, 404);
    assert.equal((await d.append(url, 1000, randomFile(10), false)).status, 404);
  });

  it('answers a wrong offset with 409, Upload-Offset and the mismatching-upload-offset problem (expected and provided)', async () => {
    const d = draft();
    const { url } = await d.create({ 'upload-complete': '?0' }, randomFile(1000));
    const answer = await d.append(url, 1500, randomFile(10), false);
    assert.equal(answer.status, 409);
    assert.equal(answer.headers.get('upload-offset'), '1000');
    const problem = JSON.parse(answer.text) as Record<string, unknown>;
    assert.equal(problem.type, `${PROBLEMS}mismatching-upload-offset`);
    assert.equal(problem['expected-offset'], 1000);
    assert.equal(problem['provided-offset'], 1500);
  });

  it('requires PATCH of application/partial-upload with Upload-Offset and Upload-Complete', async () => {
    const d = draft();
    const { url } = await d.create({ 'upload-complete': '?0' });
    assert.equal((await d.send('PATCH', url, { 'content-type': 'application/octet-stream', 'upload-offset': '0', 'upload-complete': '?0' }, randomFile(5))).status, 415);
    assert.equal((await d.send('PATCH', url, { ...PARTIAL, 'upload-complete': '?0' }, randomFile(5))).status, 400);
    assert.equal((await d.send('PATCH', url, { ...PARTIAL, 'upload-offset': '0' }, randomFile(5))).status, 400);
    assert.equal((await d.send('POST', '/uploads/', {}, randomFile(5))).status, 400, 'creation needs Upload-Complete');
  });

  it('refuses inconsistent lengths with the inconsistent-upload-length problem, and bytes past the length with 413', async () => {
    const d = draft();
    const mismatch = await d.create({ 'upload-complete': '?1', 'upload-length': '999' }, randomFile(1000));
    assert.equal(mismatch.answer.status, 400);
    assert.equal(JSON.parse(mismatch.answer.text).type, `${PROBLEMS}inconsistent-upload-length`);
    const { url } = await d.create({ 'upload-complete': '?0', 'upload-length': '2000' }, randomFile(1000));
    const other = await d.append(url, 1000, randomFile(10), false, { 'upload-length': '3000' });
    assert.equal(other.status, 400);
    assert.equal(JSON.parse(other.text).type, `${PROBLEMS}inconsistent-upload-length`);
    const past = await d.append(url, 1000, randomFile(1001), false);
    assert.equal(past.status, 413);
    assert.match(past.headers.get('upload-limit') ?? '', /max-size=/, 'a 413 from upload limits names them');
    assert.equal((await d.send('HEAD', url)).headers.get('upload-offset'), '1000');
  });

  it('refuses to change a completed upload with the completed-upload problem; an empty ?1 append to it succeeds', async () => {
    const d = draft();
    const file = randomFile(1000);
    const { url } = await d.create({ 'upload-complete': '?1' }, file);
    const more = await d.append(url, 1000, randomFile(10), false);
    assert.equal(more.status, 400);
    // Interop 9 (draft 12): a non-empty append to a completed upload is an inconsistent length.
    assert.equal(JSON.parse(more.text).type, `${PROBLEMS}${interop === '9' ? 'inconsistent-upload-length' : 'completed-upload'}`);
    assert.equal((await d.append(url, 1000, new Uint8Array(0), true)).status, 200);
    assert.equal(await d.client.storedSha(idOf(url)), sha256(file));
  });

  it('checks Content-Digest per append and Repr-Digest on completion', async () => {
    const d = draft();
    const file = randomFile(2 * MiB);
    const first = file.subarray(0, MiB);
    const { url } = await d.create({ 'upload-complete': '?0', 'content-digest': digestOf(first) }, first);
    const bad = await d.append(url, MiB, file.subarray(MiB), true, { 'content-digest': digestOf(first) });
    assert.equal(bad.status, 400);
    assert.equal((await d.send('HEAD', url)).headers.get('upload-offset'), String(MiB), 'the damaged append was dropped');
    const done = await d.append(url, MiB, file.subarray(MiB), true, { 'content-digest': digestOf(file.subarray(MiB)), 'repr-digest': digestOf(file) });
    assert.equal(done.status, 200, done.text);
    const [listed] = (await d.client.list()).filter((entry) => entry.id === idOf(url));
    assert.equal(listed?.verified, true);
  });

  it('accepts the offset a HEAD answered while an append was live, and drops what that append sends later', async () => {
    const d = draft();
    await d.client.ensureOwner();
    const file = randomFile(3 * MiB);
    const { url } = await d.create({ 'upload-complete': '?0', 'upload-length': String(file.length) });
    const live = await openRawAppend(d.client.next(), {
      cookie: d.client.cookie!, 'upload-draft-interop-version': interop, ...PARTIAL, 'upload-offset': '0', 'upload-complete': '?1', 'content-length': String(file.length),
    }, 'PATCH', url);
    const reply = collectReply(live);
    await writeAll(live, file.subarray(0, MiB));
    await eventually(async () => ((await d.client.progress(idOf(url))).offset === MiB ? true : undefined), 5000, 'the bytes to arrive');
    const offset = Number((await d.send('HEAD', url)).headers.get('upload-offset'));
    assert.equal(offset, MiB);
    await writeAll(live, Buffer.alloc(256 * 1024, 0xff)).catch(() => undefined);
    assert.equal((await d.append(url, offset, file.subarray(offset), true)).status, 200);
    assert.equal(await d.client.storedSha(idOf(url)), sha256(file));
    assert.match(await reply, /^HTTP\/1\.1 409/);
  });

  it('refuses an interop version it does not speak', async () => {
    const answer = await new Client(server.urls).request('POST', '/uploads/', { 'upload-draft-interop-version': '3', 'upload-complete': '?1' }, randomFile(5));
    assert.equal(answer.status, 400);
    assert.match(answer.text, /speaks 6, 8, 9/);
  });
  });
  }
}
