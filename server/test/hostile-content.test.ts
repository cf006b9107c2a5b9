// Issue 15: what a stranger uploads never runs in the app's origin, and never misleads by its name.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { inertType } from '../routes/files.js';
import { Client, startServer, type TestServer } from './helpers.js';

describe('hostile content', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('downloads anything but images, audio, video, PDF and plain text as bytes, never as script or markup', async () => {
    const client = new Client(server.url);
    const cases: Array<[string, string]> = [
      ['text/javascript', 'application/octet-stream'],
      ['application/javascript', 'application/octet-stream'],
      ['text/html', 'application/octet-stream'],
      ['image/svg+xml', 'application/octet-stream'],
      ['text/css', 'application/octet-stream'],
      ['application/xhtml+xml', 'application/octet-stream'],
      ['image/png', 'image/png'],
      ['video/mp4', 'video/mp4'],
      ['application/pdf', 'application/pdf'],
      ['text/plain; charset=utf-8', 'text/plain; charset=utf-8'],
    ];
    for (const [declared, served] of cases) {
      const id = `file-${declared}`;
      const body = new TextEncoder().encode('window.pwned = true; alert(document.cookie)');
      assert.equal((await client.append(id, 0, body, { [Header.fileSize]: String(body.length), [Header.fileType]: declared })).status, 200);
      const download = await client.download(id);
      assert.equal(download.headers.get('content-type'), served, declared);
      assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
      assert.match(download.headers.get('content-disposition') ?? '', /^attachment/);
      assert.match(download.headers.get('content-security-policy') ?? '', /sandbox/);
    }
    assert.equal(inertType('IMAGE/SVG+XML'), 'application/octet-stream');
  });

  it('strips control characters and bidirectional overrides from names at the door', async () => {
    const client = new Client(server.url);
    const names: Array<[string, string]> = [
      ['photo\u202Egpj.exe', 'photogpj.exe'],
      ['invoice\u2067fdp.scr\u2069', 'invoicefdp.scr'],
      ['bell\u0007\u001b[31mred\u0000.txt', 'bell[31mred.txt'],
      ['c1\u0085\u009bcontrols.bin', 'c1controls.bin'],
      ['отчёт \u200Emarked\u200F.pdf', 'отчёт marked.pdf'],
      ['写真.jpg', '写真.jpg'],
    ];
    for (const [index, [sent, shown]] of names.entries()) {
      const body = new Uint8Array([index]);
      const answer = await client.append(`named-${index}`, 0, body, { [Header.fileSize]: '1', [Header.fileName]: encodeURIComponent(sent) });
      assert.equal(answer.status, 200, answer.text);
      const [listed] = (await client.list()).filter((file) => file.id === `named-${index}`);
      assert.equal(listed?.name, shown, JSON.stringify(sent));
    }
    const onlyControls = await client.append('nameless', 0, new Uint8Array([1]), { [Header.fileSize]: '1', [Header.fileName]: encodeURIComponent('\u202E\u0007') });
    assert.equal(onlyControls.status, 200);
    assert.equal((await client.list()).find((file) => file.id === 'nameless')?.name, 'nameless', 'a name of nothing but controls falls back to the id');
  });
});
