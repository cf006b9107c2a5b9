// createFerry (issue 30): Ferry's server as a handler inside a host's Node app, with the host's
// identity and its say over new uploads. Mounted in node:http (with basePath) and in Express 5.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { Header, Problem } from '../../common/protocol.js';
import { createLogger } from '../log.js';
import { createFerry, FerryOptionError, FerryRefusal, prepareServer, type Ferry, type UploadCreate } from '../create-ferry.js';
import { MiB, randomFile, sha256, tempDir } from './helpers.js';
import { listenLocally } from '../../testkit/sockets.js';

/** The tests' servers log nothing unless TEST_LOG_LEVEL asks. */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

const TUS = { 'tus-resumable': '1.0.0' };

/** A user of the host app, known by a header the host's own authentication would set. */
function as(user: string | undefined) {
  return (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...(user ? { 'x-user': user } : {}), ...(init.headers as Record<string, string>) } });
}

/** Create a tus upload of `file` under `base` and send it whole; the upload's URL. */
async function tusUpload(base: string, user: string, file: Buffer, metadata = ''): Promise<string> {
  const created = await as(user)(`${base}/uploads/`, { method: 'POST', headers: { ...TUS, 'upload-length': String(file.length), ...(metadata ? { 'upload-metadata': metadata } : {}) } });
  assert.equal(created.status, 201, await created.text());
  const location = created.headers.get('location')!;
  const patched = await as(user)(new URL(location, base).href, { method: 'PATCH', headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(file) });
  assert.equal(patched.status, 204, await patched.text());
  return location;
}

describe('createFerry in node:http, mounted at /files', () => {
  let ferry: Ferry;
  let server: Server;
  let url: string;
  const created: UploadCreate[] = [];
  const passed: string[] = [];

  before(async () => {
    ferry = await createFerry({
      logger,
      dataDir: await tempDir(),
      basePath: '/files',
      authenticate: (req) => (req.headers['x-user'] as string | undefined) ?? null,
      onUploadCreate: (upload) => {
        created.push(upload);
        if (upload.name?.endsWith('.exe')) throw new FerryRefusal(403, 'No programs, please');
        if (upload.name === 'boom') throw new Error('the host broke');
      },
    });
    const handle = (req: Parameters<Ferry['handle']>[0], res: Parameters<Ferry['handle']>[1]) => ferry.handle(req, res, () => {
      passed.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('the host\'s own page');
    });
    server = prepareServer(createServer(handle), handle);
    url = await listenLocally(server);
  });
  after(async () => {
    await ferry.close();
    server.close();
  });

  it('takes a tus upload under the mount path: Location carries it, and the listing has the exact bytes', async () => {
    const file = randomFile(2 * MiB + 3);
    const location = await tusUpload(`${url}/files`, 'alice', file, `filename ${Buffer.from('site.mp4').toString('base64')},shot ${Buffer.from('42').toString('base64')}`);
    assert.match(location, /^\/files\/uploads\/[0-9a-f]{32}$/);
    const listed = await (await as('alice')(`${url}/files/files`)).json() as Array<{ id: string; name: string; sha256: string; metadata?: Record<string, string> }>;
    assert.deepEqual(listed.map((entry) => [entry.name, entry.sha256, entry.metadata]), [['site.mp4', sha256(file), { filename: 'site.mp4', shot: '42' }]], 'the metadata is kept and listed');
    const hook = created.find((upload) => upload.name === 'site.mp4')!;
    assert.deepEqual([hook.owner, hook.size, hook.type, hook.metadata.shot], ['alice', file.length, undefined, '42']);
  });

  it('keeps each user\'s uploads to that user', async () => {
    const location = await tusUpload(`${url}/files`, 'alice', randomFile(1000));
    assert.equal((await as('bob')(`${url}${location}`, { method: 'HEAD', headers: TUS })).status, 404);
    assert.deepEqual(await (await as('bob')(`${url}/files/files`)).json(), []);
  });

  it('answers a request the host does not authenticate with a 401 problem', async () => {
    const answer = await as(undefined)(`${url}/files/uploads/`, { method: 'POST', headers: { ...TUS, 'upload-length': '10' } });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await answer.json()) as { type: string }).type, Problem.unauthenticated);
  });

  it('turns a FerryRefusal from onUploadCreate into its status as a problem, and keeps nothing; any other throw is a 500 problem', async () => {
    const refused = await as('alice')(`${url}/files/upload`, { method: 'POST', headers: { [Header.fileId]: 'tool', [Header.startByte]: '0', [Header.fileSize]: '5', [Header.fileName]: 'tool.exe' }, body: 'hello' });
    assert.equal(refused.status, 403);
    const problem = await refused.json() as { type: string; title: string };
    assert.deepEqual([problem.type, problem.title], [Problem.refused, 'No programs, please']);
    const status = await as('alice')(`${url}/files/status`, { headers: { [Header.fileId]: 'tool' } });
    assert.equal((await status.text()).trim(), '0', 'nothing was kept');
    const broken = await as('alice')(`${url}/files/uploads/`, { method: 'POST', headers: { ...TUS, 'upload-length': '10', 'upload-metadata': `filename ${Buffer.from('boom').toString('base64')}` } });
    assert.equal(broken.status, 500);
    assert.equal(((await broken.json()) as { type: string }).type, Problem.hookFailed);
  });

  it('hands paths it does not serve to next(), and sets no cookie', async () => {
    for (const path of ['/', '/files/app-config', '/files/tokens', '/elsewhere/status']) {
      const answer = await as('alice')(`${url}${path}`);
      assert.equal(await answer.text(), 'the host\'s own page', path);
      assert.equal(answer.headers.get('set-cookie'), null);
    }
  });
});

describe('createFerry in Express 5', () => {
  let ferry: Ferry;
  let server: Server;
  let url: string;
  before(async () => {
    ferry = await createFerry({ logger, dataDir: await tempDir(), authenticate: (req) => (req.headers['x-user'] as string | undefined) ?? null });
    const app = express();
    app.use('/files', (req, res, next) => ferry.handle(req, res, next));
    app.get('/hello', (_req, res) => void res.send('the app\'s own route'));
    server = createServer(app);
    url = await listenLocally(server);
  });
  after(async () => {
    await ferry.close();
    server.close();
  });

  it('serves every protocol under app.use(\'/files\'), Location included, and leaves the app its routes', async () => {
    const file = randomFile(MiB);
    const location = await tusUpload(`${url}/files`, 'carol', file);
    assert.match(location, /^\/files\/uploads\//, 'req.baseUrl is the mount path');
    const ferryProtocol = await as('carol')(`${url}/files/upload`, { method: 'POST', headers: { [Header.fileId]: 'plain', [Header.startByte]: '0', [Header.fileSize]: '3' }, body: 'abc' });
    assert.equal(ferryProtocol.status, 200);
    const ietf = await as('carol')(`${url}/files/uploads/`, { method: 'POST', headers: { 'upload-draft-interop-version': '8', 'upload-complete': '?1' }, body: 'xyz' });
    assert.equal(ietf.status, 200, await ietf.text());
    assert.match(ietf.headers.get('location')!, /^\/files\/uploads\//);
    const listed = await (await as('carol')(`${url}/files/files`)).json() as Array<{ sha256: string }>;
    assert.equal(listed.length, 3);
    assert.ok(listed.some((entry) => entry.sha256 === sha256(file)));
    assert.equal(await (await fetch(`${url}/hello`)).text(), 'the app\'s own route');
    assert.equal((await as('carol')(`${url}/files/nothing-here`)).status, 404, 'Express\'s own 404 after next()');
  });
});

describe('createFerry options', () => {
  it('throws at createFerry with a sentence naming the option', async () => {
    await assert.rejects(createFerry({}), (error: Error) => error instanceof FerryOptionError && /dataDir/.test(error.message) && /store/.test(error.message));
    await assert.rejects(createFerry({ dataDir: '/tmp/x', maxOwnerBytes: 'lots' as unknown as number }), /maxOwnerBytes must be a whole number/);
    await assert.rejects(createFerry({ dataDir: '/tmp/x', uploadTtl: 'a week' }), /uploadTtl must be a duration/);
    await assert.rejects(createFerry({ store: { kind: 's3', bucket: '' } }), /store needs a bucket/);
    await assert.rejects(createFerry({ dataDir: '/tmp/x', push: { subject: 'ops@example.org' } }), /push\.subject must be a mailto: or https: URL/);
    await assert.rejects(createFerry({ dataDir: '/tmp/x', push: { publicKey: 'BAx' } }), /push\.publicKey and push\.privateKey go together/);
  });

  it('pushes only when asked: push: true serves the VAPID key at <mount>/push-subscriptions, the default serves none', async () => {
    for (const push of [undefined, true]) {
      const ferry = await createFerry({ logger, dataDir: await tempDir(), authenticate: () => 'erin', ...(push ? { push } : {}) });
      const server = createServer((req, res) => ferry.handle(req, res));
      const url = await listenLocally(server);
      try {
        const answer = await fetch(`${url}/push-subscriptions`);
        if (push) assert.match(((await answer.json()) as { publicKey: string }).publicKey, /^[\w-]{80,}$/);
        else assert.equal(answer.status, 404);
      } finally {
        await ferry.close();
        server.close();
      }
    }
  });

  it('with no next and no match, answers 404 problem+json', async () => {
    const ferry = await createFerry({ logger, dataDir: await tempDir(), authenticate: () => 'dave' });
    const server = createServer((req, res) => ferry.handle(req, res));
    const url = await listenLocally(server);
    try {
      const answer = await fetch(`${url}/not-ferry`);
      assert.equal(answer.status, 404);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await answer.json()) as { type: string }).type, Problem.notFound);
    } finally {
      await ferry.close();
      server.close();
    }
  });
});
