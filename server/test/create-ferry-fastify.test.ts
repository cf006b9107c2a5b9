// createFerry mounted in Fastify exactly as docs/server.md says: an encapsulated plugin whose
// content-type parser leaves bodies alone, the raw request handed over, and the node:http server
// prepared through Fastify's serverFactory (no request timeout, "Expect: 100-continue" to Ferry).
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Header } from '../../common/protocol.js';
import { createLogger } from '../log.js';
import { createFerry, prepareServer, type Ferry } from '../create-ferry.js';
import { MiB, randomFile, sha256, tempDir } from './helpers.js';

const TUS = { 'tus-resumable': '1.0.0' };
const alice = { 'x-user': 'alice' };

/** One append over Ferry's protocol that asks before sending its body; its status, and whether the body was invited. */
function appendAsking(url: string, start: number, body: Buffer): Promise<{ status: number; invited: boolean }> {
  return new Promise((resolve, reject) => {
    let invited = false;
    const asking = request(`${url}/files/upload`, {
      method: 'POST',
      headers: { ...alice, expect: '100-continue', [Header.fileId]: 'asked', [Header.startByte]: String(start), [Header.fileSize]: String(2 * body.length), 'content-length': String(body.length) },
    });
    asking.on('continue', () => {
      invited = true;
      asking.end(body);
    });
    asking.on('response', (answer) => {
      answer.resume().on('end', () => resolve({ status: answer.statusCode ?? 0, invited }));
      if (!invited) asking.destroy();
    });
    asking.on('error', (error) => (invited ? reject(error) : undefined));
    asking.flushHeaders();
  });
}

describe('createFerry in Fastify', () => {
  let ferry: Ferry;
  let fastify: FastifyInstance;
  let url: string;

  before(async () => {
    ferry = await createFerry({
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      dataDir: await tempDir(),
      basePath: '/files',
      authenticate: (req) => (req.headers['x-user'] as string | undefined) ?? null,
    });
    // The snippet of docs/server.md, as a host writes it.
    fastify = Fastify({ serverFactory: (handler) => prepareServer(createServer(handler), handler) });
    fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      scope.all('/files/*', (request, reply) => {
        reply.hijack();
        ferry.handle(request.raw, reply.raw);
      });
    });
    fastify.get('/hello', async () => 'the app\'s own route');
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await fastify.close();
    await ferry.close();
  });

  it('takes tus and IETF uploads under /files, Location included, byte for byte, and leaves Fastify its routes', async () => {
    const file = randomFile(3 * MiB);
    const created = await fetch(`${url}/files/uploads/`, { method: 'POST', headers: { ...alice, ...TUS, 'upload-length': String(file.length), 'content-type': 'application/offset+octet-stream' } });
    assert.equal(created.status, 201, await created.text());
    const location = created.headers.get('location')!;
    assert.match(location, /^\/files\/uploads\/[0-9a-f]{32}$/);
    // Two appends, the way a resuming client sends them; a content type Fastify has no parser for either way.
    for (const [start, end] of [[0, MiB], [MiB, file.length]] as const) {
      const patched = await fetch(new URL(location, url), { method: 'PATCH', headers: { ...alice, ...TUS, 'upload-offset': String(start), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(file.subarray(start, end)) });
      assert.equal(patched.status, 204, await patched.text());
    }
    const ietf = await fetch(`${url}/files/uploads/`, { method: 'POST', headers: { ...alice, 'upload-draft-interop-version': '8', 'upload-complete': '?1', 'content-type': 'application/json' }, body: '{"not":"parsed"}' });
    assert.equal(ietf.status, 200, await ietf.text());
    const listed = await (await fetch(`${url}/files/files`, { headers: alice })).json() as Array<{ sha256: string; size: number }>;
    assert.deepEqual(listed.map((entry) => entry.sha256).sort(), [sha256(file), sha256(Buffer.from('{"not":"parsed"}'))].sort());
    assert.equal(await (await fetch(`${url}/hello`)).text(), 'the app\'s own route');
  });

  it('invites a body only when it would take it, and answers a stranger 401', async () => {
    const half = randomFile(64 * 1024);
    assert.deepEqual(await appendAsking(url, 0, half), { status: 200, invited: true });
    assert.deepEqual(await appendAsking(url, 1000, half), { status: 409, invited: false }, 'a wrong offset is refused before the body is sent');
    assert.equal((await fetch(`${url}/files/status`, { headers: { [Header.fileId]: 'asked' } })).status, 401);
  });
});
