// The host's backend: @tus/server demanding a bearer token, the tokens it hands out, and the built
// pages. POST /demo/expire-tokens makes every token so far refused (to watch the page renew it).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const tokens = new Set();
const dist = path.join(import.meta.dirname, 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: process.env.TUS_DIR ?? './uploads' }),
  async onIncomingRequest(req) {
    const token = /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '')?.[1];
    if (!token || !tokens.has(token)) throw { status_code: 401, body: 'a valid bearer token is needed\n' };
  },
});

const server = createServer({ requestTimeout: 0 }, async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://host');
  if (url.pathname.startsWith('/files')) return void tus.handle(req, res);
  if (req.method === 'POST' && url.pathname === '/token') {
    const token = randomBytes(16).toString('hex');
    tokens.add(token);
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
  }
  if (req.method === 'POST' && url.pathname === '/demo/expire-tokens') {
    tokens.clear();
    return void res.writeHead(204).end();
  }
  const file = path.join(dist, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(dist + path.sep)) return void res.writeHead(404).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found\n');
  }
});
server.listen(Number(process.env.PORT ?? 8090), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`listening on http://127.0.0.1:${port}`);
  process.send?.({ port }); // a parent process (the e2e test) learns the port
});
