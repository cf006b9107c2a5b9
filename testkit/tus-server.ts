// The peer: @tus/server with @tus/file-store at their documented defaults (any origin may
// call it, as by default), and a page that uploads a picked file with tus-js-client at its
// defaults. Forked by the bench and the e2e tests (testkit/tus.ts); sends { port } once listening.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: process.env.TUS_DIR ?? './tus-files' }) });
const clientBundle = await readFile(createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js'));

const page = `<!doctype html><meta charset="utf-8"><title>tus peer</title>
<input type="file" id="picker" multiple><script src="/tus.min.js"></script>
<script>
// ?endpoint=…&token=… points the same page at another tus server (Ferry's /uploads/, by CORS and a bearer token);
// ?parallel=N uploads the picked files N at a time (window.tusDone once every one succeeded, tusDoneAt when).
const params = new URLSearchParams(location.search);
const upload = (file) => new Promise((resolve, reject) => new tus.Upload(file, {
  endpoint: params.get('endpoint') ?? '/files',
  headers: params.get('token') ? { authorization: 'Bearer ' + params.get('token') } : {},
  metadata: { filename: file.name, filetype: file.type },
  onSuccess: resolve,
  onError: reject,
}).start());
document.querySelector('#picker').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  const lane = async () => { for (let file; (file = files.shift());) await upload(file); };
  try {
    await Promise.all(Array.from({ length: Number(params.get('parallel') ?? 1) }, lane));
    window.tusDoneAt = Date.now();
    window.tusDone = true;
  } catch (error) {
    window.tusError = String(error);
  }
});
</script>`;

const server = createServer({ requestTimeout: 0 }, (req, res) => {
  if (req.url?.startsWith('/files')) return void tus.handle(req, res);
  if (req.url === '/tus.min.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(clientBundle);
  res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
