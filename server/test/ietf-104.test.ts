// The IETF draft's interop version 9 (draft 12 on): a creation is announced with
// `104 (Upload Resumption Supported)` and its Location before its body is read, so a client cut off
// mid-body resumes from the server's offset; only a client speaking 9 gets one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, eventually, MiB, openRawAppend, randomFile, sha256, startServer, writeAll, type TestServer } from './helpers.js';

describe('IETF draft, interop 9: 104 Upload Resumption Supported', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  /** Start a creation of `file` on a raw socket, send `sent` bytes of it, and give back what the server said so far. */
  async function cutCreation(client: Client, interop: string, file: Buffer, sent: number): Promise<string> {
    const socket = await openRawAppend(server.url, {
      cookie: client.cookie!, 'upload-draft-interop-version': interop, 'upload-complete': '?1',
      'upload-length': String(file.length), 'content-length': String(file.length), connection: 'keep-alive',
    }, 'POST', '/uploads/');
    let heard = '';
    socket.on('data', (data) => (heard += data.toString('latin1')));
    socket.on('error', () => undefined);
    await writeAll(socket, file.subarray(0, sent));
    await eventually(async () => ((await client.request('GET', '/files')).status === 200 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    return heard;
  }

  it('announces the upload with its Location, so a creation cut mid-body resumes from the offset', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const file = randomFile(2 * MiB);
    const heard = await cutCreation(client, '9', file, MiB);
    const interim = /^HTTP\/1\.1 104 Upload Resumption Supported\r\n([\s\S]*?)\r\n\r\n/.exec(heard);
    assert.ok(interim, `a 104 first: ${JSON.stringify(heard.slice(0, 200))}`);
    const location = /location: (\S+)/i.exec(interim[1]!)?.[1];
    assert.match(location ?? '', /^\/uploads\/[0-9a-f]{32}$/);
    assert.match(interim[1]!, /upload-limit: max-size=\d+, max-age=\d+/i);

    const draft = { 'upload-draft-interop-version': '9' };
    const offset = await eventually(async () => {
      const head = await client.request('HEAD', location!, draft);
      const held = Number(head.headers.get('upload-offset'));
      return head.status === 204 && held > 0 ? held : undefined;
    }, 5000, 'the cut creation\'s bytes to be kept');
    const rest = await client.request('PATCH', location!, { ...draft, 'upload-offset': String(offset), 'upload-complete': '?1', 'content-type': 'application/partial-upload' }, file.subarray(offset));
    assert.equal(rest.status, 200, rest.text);
    assert.equal(await client.storedSha(location!.split('/').pop()!), sha256(file));
  });

  it('sends no 104 to a client speaking 8, whose cut creation then keeps nothing', async () => {
    const client = new Client(server.url);
    await client.ensureOwner();
    const heard = await cutCreation(client, '8', randomFile(2 * MiB), MiB);
    assert.doesNotMatch(heard, /104/);
    await eventually(async () => ((await client.list()).length === 0 ? true : undefined));
  });
});
