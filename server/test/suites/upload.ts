// The protocol's happy paths and offset rules, against a real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { downloadPath, Header } from '../../../common/protocol.js';
import { Client, MiB, randomFile, sha256, type Target } from '../helpers.js';

export function uploadSuite(where: string, start: () => Promise<Target>): void {
  describe(`status and append: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  it('reports 0 for an unknown id, as text and in Upload-Offset', async () => {
    const answer = await new Client(server.urls).status('never-seen');
    assert.equal(answer.status, 200);
    assert.equal(answer.text.trim(), '0');
    assert.equal(answer.offset, 0);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get(Header.uploadComplete), null);
  });

  it('stores a multi-append upload of 40 MiB byte for byte', async () => {
    const client = new Client(server.urls);
    const file = randomFile(40 * MiB + 12345);
    const chunk = 7 * MiB;
    for (let start = 0; start < file.length; start += chunk) {
      const status = await client.status('video.mp4');
      assert.equal(status.offset, start, 'status reports exactly the bytes appended so far');
      const answer = await client.append('video.mp4', start, file.subarray(start, start + chunk), {
        [Header.fileSize]: String(file.length),
        [Header.fileName]: encodeURIComponent('video.mp4'),
        [Header.fileType]: 'video/mp4',
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.offset, Math.min(start + chunk, file.length));
    }
    const done = await client.status('video.mp4');
    assert.equal(done.offset, file.length);
    assert.equal(done.headers.get(Header.uploadComplete), '1');
    assert.equal(done.headers.get(Header.fileSize), String(file.length));

    const [listed] = (await client.list()).filter((entry) => entry.id === 'video.mp4');
    assert.equal(listed?.sha256, sha256(file), 'the recorded digest is the source digest');
    assert.equal(listed?.size, file.length);
    assert.equal(await client.storedSha('video.mp4'), sha256(file));
  });

  it('answers a wrong offset with 409 carrying the held offset, and keeps the bytes', async () => {
    const client = new Client(server.urls);
    const file = randomFile(3 * MiB);
    await client.append('wrong-offset', 0, file.subarray(0, MiB), { [Header.fileSize]: String(file.length) });
    for (const start of [MiB - 1, MiB + 1, 2 * MiB]) {
      const answer = await client.append('wrong-offset', start, file.subarray(start, start + 1000));
      assert.equal(answer.status, 409);
      assert.equal(answer.text.trim(), String(MiB), 'the body carries the held offset');
      assert.equal(answer.offset, MiB, 'so does Upload-Offset');
    }
    assert.equal((await client.upload('wrong-offset', file, MiB, {}, MiB)).status, 200);
    assert.equal(await client.storedSha('wrong-offset'), sha256(file));
  });

  it('restarts a partial upload from 0 when X-Start-Byte is 0 or missing', async () => {
    const client = new Client(server.urls);
    await client.append('restart', 0, randomFile(MiB), { [Header.fileSize]: String(2 * MiB) });
    const file = randomFile(2 * MiB);
    const restarted = await client.request('POST', '/upload', { [Header.fileId]: 'restart', [Header.fileSize]: String(file.length) }, file.subarray(0, MiB));
    assert.equal(restarted.status, 200);
    assert.equal(restarted.offset, MiB);
    assert.equal((await client.append('restart', MiB, file.subarray(MiB))).status, 200);
    assert.equal(await client.storedSha('restart'), sha256(file));
  });

  it('with X-No-Restart: 1, a start of 0 against held bytes is 409 with the held offset and drops nothing', async () => {
    const client = new Client(server.urls);
    const file = randomFile(2 * MiB);
    const continuing = { [Header.fileSize]: String(file.length), [Header.noRestart]: '1' };
    assert.equal((await client.append('resent', 0, file.subarray(0, MiB), continuing)).status, 200);
    // The same first append again, as Chromium resends a POST whose answer was lost with its connection.
    const resent = await client.append('resent', 0, file.subarray(0, MiB), continuing);
    assert.equal(resent.status, 409, resent.text);
    assert.equal(resent.offset, MiB);
    assert.equal((await client.status('resent')).offset, MiB, 'the held bytes stay');
    assert.equal((await client.append('resent', MiB, file.subarray(MiB), continuing)).status, 200);
    assert.equal(await client.storedSha('resent'), sha256(file));

    const odd = await client.append('resent-odd', 0, file.subarray(0, 10), { [Header.noRestart]: 'yes' });
    assert.equal(odd.status, 400);
    assert.match(odd.text, /x-no-restart must be 1/);
    assert.equal((await client.status('resent-odd')).offset, 0, 'nothing stored for a refused header');
  });

  it('never destroys a completed upload: a start of 0 answers 409 with the full size', async () => {
    const client = new Client(server.urls);
    const file = randomFile(MiB);
    assert.equal((await client.upload('done-once', file, MiB)).status, 200);
    const again = await client.append('done-once', 0, randomFile(MiB), { [Header.fileSize]: String(MiB) });
    assert.equal(again.status, 409);
    assert.equal(again.offset, file.length);
    assert.equal(again.text.trim(), String(file.length));
    assert.equal(again.headers.get(Header.uploadComplete), '1');
    const noStart = await client.request('POST', '/upload', { [Header.fileId]: 'done-once' }, randomFile(10));
    assert.equal(noStart.status, 409);
    assert.equal(await client.storedSha('done-once'), sha256(file));
  });

  it('stores an empty file', async () => {
    const client = new Client(server.urls);
    const answer = await client.append('empty.txt', 0, new Uint8Array(0), { [Header.fileSize]: '0' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get(Header.uploadComplete), '1');
    assert.equal(await client.storedSha('empty.txt'), sha256(new Uint8Array(0)));
  });

  it('accepts a classic client that sends only X-File-Id and X-Start-Byte, and resumes it', async () => {
    const client = new Client(server.urls);
    const file = randomFile(5 * MiB);
    const first = await client.request('POST', '/upload', { [Header.fileId]: 'classic', [Header.startByte]: '0' }, file.subarray(0, 2 * MiB));
    assert.equal(first.status, 200);
    const status = await client.status('classic');
    assert.equal(Number(status.text), 2 * MiB, 'status reports its bytes');
    assert.equal(status.headers.get(Header.fileSize), null, 'no size was ever declared');
    const second = await client.request('POST', '/upload', { [Header.fileId]: 'classic', [Header.startByte]: String(2 * MiB) }, file.subarray(2 * MiB));
    assert.equal(second.status, 200);
    assert.equal(Number((await client.status('classic')).text), file.length);
    // Without a size it stays partial; declaring the size on an empty append completes it.
    assert.deepEqual((await client.list()).filter((entry) => entry.id === 'classic'), []);
    const finish = await client.append('classic', file.length, new Uint8Array(0), { [Header.fileSize]: String(file.length) });
    assert.equal(finish.headers.get(Header.uploadComplete), '1');
    assert.equal(await client.storedSha('classic'), sha256(file));
  });

  it('resumes downloads: Range gives 206 with Content-Range, If-Range guards the version, past the end is 416', async () => {
    const client = new Client(server.urls);
    const file = randomFile(3 * MiB + 17);
    assert.equal((await client.upload('ranged', file, 2 * MiB)).status, 200);
    const url = () => `${client.next()}${downloadPath('ranged')}`;
    const get = (headers: Record<string, string>) => fetch(url(), { headers: { cookie: client.cookie!, ...headers } });

    const whole = await get({});
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    const etag = whole.headers.get('etag')!;
    assert.equal(etag, `"${sha256(file)}"`);
    await whole.arrayBuffer();

    const cases: Array<[string, number, number]> = [['bytes=1000-2999', 1000, 2999], [`bytes=${2 * MiB}-`, 2 * MiB, file.length - 1], ['bytes=-500', file.length - 500, file.length - 1]];
    for (const [range, start, end] of cases) {
      const part = await get({ range, 'if-range': etag });
      assert.equal(part.status, 206, range);
      assert.equal(part.headers.get('content-range'), `bytes ${start}-${end}/${file.length}`);
      assert.equal(Number(part.headers.get('content-length')), end - start + 1);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), file.subarray(start, end + 1), range);
    }
    const otherVersion = await get({ range: 'bytes=0-9', 'if-range': '"another-version"' });
    assert.equal(otherVersion.status, 200, 'a range of another version is not served: the whole file is');
    assert.equal(sha256(Buffer.from(await otherVersion.arrayBuffer())), sha256(file));
    const past = await get({ range: `bytes=${file.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${file.length}`);
    await past.arrayBuffer();
  });
  });
}
