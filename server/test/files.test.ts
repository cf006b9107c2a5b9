// Listing, downloading and deleting completed files.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, MiB, randomFile, sha256, startServer, type TestServer } from './helpers.js';

describe('files', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('lists completed uploads with id, name, type, size, sha256 and completedAt, newest first', async () => {
    const client = new Client(server.url);
    const first = randomFile(1500);
    const second = randomFile(2500);
    await client.upload('1', first, 1000, { [Header.fileName]: encodeURIComponent('写真.jpg'), [Header.fileType]: 'image/jpeg' });
    await client.upload('2', second, 1000, { [Header.fileName]: encodeURIComponent('отчёт.pdf'), [Header.fileType]: 'application/pdf' });
    await client.append('3', 0, randomFile(10), { [Header.fileSize]: '20' });
    const list = await client.list();
    assert.deepEqual(list.map((file) => file.id), ['2', '1'], 'partial uploads are not listed');
    const [report] = list;
    assert.deepEqual(Object.keys(report!).sort(), ['completedAt', 'id', 'name', 'sha256', 'size', 'type', 'verified']);
    assert.equal(report!.name, 'отчёт.pdf');
    assert.equal(report!.type, 'application/pdf');
    assert.equal(report!.size, second.length);
    assert.equal(report!.sha256, sha256(second));
    assert.ok(!Number.isNaN(Date.parse(String(report!.completedAt))));
  });

  it('serves a download as an attachment with its original name, length, nosniff and a sandboxing CSP', async () => {
    const client = new Client(server.url);
    const file = randomFile(3 * MiB);
    await client.upload('photo', file, MiB, { [Header.fileName]: encodeURIComponent('写真 "1".jpg'), [Header.fileType]: 'image/jpeg' });
    const { status, headers, bytes } = await client.download('photo');
    assert.equal(status, 200);
    assert.equal(sha256(bytes), sha256(file));
    assert.equal(headers.get('content-length'), String(file.length));
    assert.equal(headers.get('content-type'), 'image/jpeg');
    assert.match(headers.get('content-disposition') ?? '', /^attachment; filename="(\\.|[^"\\])*"; filename\*=UTF-8''%E5%86%99%E7%9C%9F%20%221%22\.jpg$/);
    assert.equal(headers.get('x-content-type-options'), 'nosniff');
    assert.match(headers.get('content-security-policy') ?? '', /^sandbox;/);
  });

  it('never lets an uploaded HTML file run in the app origin', async () => {
    const client = new Client(server.url);
    const page = Buffer.from('<!doctype html><script>navigator.serviceWorker.register("/evil.js")</script>');
    await client.upload('evil.html', page, 1000, { [Header.fileName]: 'evil.html', [Header.fileType]: 'text/html' });
    const { headers, bytes } = await client.download('evil.html');
    assert.equal(sha256(bytes), sha256(page));
    assert.match(headers.get('content-disposition') ?? '', /^attachment/);
    const csp = headers.get('content-security-policy') ?? '';
    assert.match(csp, /(^|; )sandbox(;|$)/, 'sandboxed: no scripts, an opaque origin');
    assert.match(csp, /default-src 'none'/);
  });

  it('answers HEAD with the headers only, and unknown or malformed ids with 404 and 400', async () => {
    const client = new Client(server.url);
    const file = randomFile(1000);
    await client.upload('head-me', file, 1000);
    const head = await client.request('HEAD', '/files/head-me');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '1000');
    assert.equal(head.text, '');
    assert.equal((await client.request('GET', '/files/nothing-here')).status, 404);
    assert.equal((await client.request('GET', '/files/%E0%A4%A')).status, 400);
    assert.equal((await client.request('GET', '/files/')).status, 400);
  });

  it('deletes a partial or a completed upload with its bytes', async () => {
    const client = new Client(server.url);
    await client.upload('gone', randomFile(MiB), MiB);
    await client.append('gone-partial', 0, randomFile(MiB), { [Header.fileSize]: String(2 * MiB) });
    assert.equal((await client.cancel('gone')).status, 204);
    assert.equal((await client.cancel('gone-partial')).status, 204);
    assert.equal((await client.status('gone')).offset, 0);
    assert.equal((await client.status('gone-partial')).offset, 0);
    assert.equal((await client.download('gone')).status, 404);
    assert.ok(!(await client.list()).some((file) => file.id.startsWith('gone')));
    // The id is free again.
    const again = randomFile(1234);
    assert.equal((await client.upload('gone', again, 1000)).status, 200);
    assert.equal(await client.storedSha('gone'), sha256(again));
  });
});
