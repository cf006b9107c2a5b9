// An Express 5 app with its own users and sessions. Ferry's server is mounted at /files with the
// app's authentication; each finished upload is recorded, and the app keeps answering its own routes.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { createFerry, FerryRefusal, prepareServer } from 'ferry-uploader/server';

const sessions = new Map(); // session id -> user
const finished = []; // what onUploadFinish heard, in order

function userOf(req) {
  const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
  return (sid && sessions.get(sid)) ?? null;
}

const ferry = await createFerry({
  dataDir: process.env.DATA_DIR ?? './data',
  authenticate: userOf,
  onUploadCreate({ name }) {
    if (/\.exe$/i.test(name)) throw new FerryRefusal(403, 'Programs cannot be attached to a case');
  },
  async onUploadFinish({ id, owner, name, size, metadata, sha256 }) {
    finished.push({ id, owner, name, size, metadata, sha256 });
  },
});

const app = express();
app.post('/login', express.json(), (req, res) => {
  const sid = randomBytes(16).toString('hex');
  sessions.set(sid, String(req.body.user));
  res.cookie('sid', sid, { httpOnly: true, sameSite: 'strict' }).json({ user: req.body.user });
});
app.get('/me', (req, res) => res.json({ user: userOf(req) }));
app.get('/finished', (req, res) => res.json(finished.filter((upload) => upload.owner === userOf(req))));
app.use('/files', ferry.handle);
app.use(express.static(path.join(import.meta.dirname, 'dist')));

const server = prepareServer(createServer(app), app);
server.listen(Number(process.env.PORT ?? 8091), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`listening on http://127.0.0.1:${port}`);
  process.send?.({ port }); // a parent process (the e2e test) learns the port
});
