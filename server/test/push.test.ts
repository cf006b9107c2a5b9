// Wake-ups by Web Push (issue 33), against a fake push service on loopback written here: what arrives
// is decrypted with the subscription keys this test made (RFC 8291, aes128gcm) and its VAPID JWT
// checked (RFC 8292). Then: pushes back off while no append follows, stop once the upload completes,
// and a subscription is its owner's alone.
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { Header, Route } from '../../common/protocol.js';
import { Client, randomFile, sha256, startServer, type TestServer } from './helpers.js';
import { listenLocally } from '../../testkit/sockets.js';

const ece = createRequire(import.meta.url)('http_ece') as { decrypt(body: Buffer, params: { version: string; privateKey: unknown; authSecret: string }): Buffer };

interface Arrived {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A push service: it takes every push, and answers 410 for endpoints under /gone/. */
async function fakePushService(): Promise<{ url: string; arrived: Arrived[]; close(): Promise<void> }> {
  const arrived: Arrived[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      arrived.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(req.url?.startsWith('/gone/') ? 410 : 201).end();
    });
  });
  return { url: await listenLocally(server), arrived, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** What a browser makes when it subscribes: an ECDH key pair and an auth secret. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** Check the VAPID header's ES256 JWT against the server's public key, and return its claims. */
function vapidClaims(authorization: string, publicKey: string): { aud: string; sub: string; exp: number } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
  assert.ok(match, `a VAPID authorization header: ${authorization}`);
  const [header, claims, signature] = match[1]!.split('.') as [string, string, string];
  assert.equal(match[2], publicKey, 'k= is the key the server gives browsers');
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString()).alg, 'ES256');
  assert.ok(verify('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')), 'the JWT is signed by the VAPID key');
  return JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; sub: string; exp: number };
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('push wake-ups', () => {
  let service: Awaited<ReturnType<typeof fakePushService>>;
  let server: TestServer;
  before(async () => {
    service = await fakePushService();
    server = await startServer({ PUSH_ENDPOINTS: service.url, PUSH_AFTER: '1s', PUSH_SUBJECT: 'mailto:ops@example.org' });
  });
  after(async () => {
    await server.close();
    await service.close();
  });

  it('pushes an encrypted "continue" with a valid VAPID JWT while an upload is silent, backs off, and stops once it completes', async () => {
    const owner = new Client(server.url);
    await owner.ensureOwner();
    const { publicKey } = JSON.parse((await owner.request('GET', Route.pushSubscriptions)).text) as { publicKey: string };
    const keys = browserKeys();
    const endpoint = `${service.url}/push/owner-one`;
    const saved = await owner.request('POST', Route.pushSubscriptions, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } })));
    assert.equal(saved.status, 204, saved.text);
    const file = randomFile(3000);
    assert.equal((await owner.append('silent.bin', 0, file.subarray(0, 1000), { [Header.fileSize]: '3000' })).status, 200);

    const mine = () => service.arrived.filter((push) => push.path === '/push/owner-one');
    await until(() => mine().length >= 3, 15_000, 'three pushes for a silent upload');
    const [first, second, third] = mine() as [Arrived, Arrived, Arrived];
    assert.equal(first.headers['content-encoding'], 'aes128gcm');
    assert.ok(Number(first.headers.ttl) > 0);
    const claims = vapidClaims(String(first.headers.authorization), publicKey);
    assert.equal(claims.aud, service.url);
    assert.equal(claims.sub, 'mailto:ops@example.org');
    assert.ok(claims.exp * 1000 > Date.now() && claims.exp * 1000 <= Date.now() + 24 * 3600 * 1000);
    const payload = JSON.parse(ece.decrypt(first.body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth }).toString()) as { type: string };
    assert.equal(payload.type, 'ferry:continue');
    // No append followed: each wait is longer than the one before.
    assert.ok(third.at - second.at > second.at - first.at, `backoff: ${second.at - first.at} ms, then ${third.at - second.at} ms`);

    // An append answers the pushes; once the upload completes, none follows.
    assert.equal((await owner.append('silent.bin', 1000, file.subarray(1000), { [Header.fileSize]: '3000' })).status, 200);
    assert.equal(await owner.storedSha('silent.bin'), sha256(file));
    const count = mine().length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(mine().length, count, 'no push once the upload completed');
  });

  it('keeps a subscription its owner\'s alone: another owner neither reads nor replaces it; only push services are taken', async () => {
    const owner = new Client(server.url);
    const other = new Client(server.url);
    await Promise.all([owner.ensureOwner(), other.ensureOwner()]);
    const subscribe = (who: Client, endpoint: string) => who.request('POST', Route.pushSubscriptions, { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ endpoint, keys: { p256dh: browserKeys().p256dh, auth: randomBytes(16).toString('base64url') } })));
    assert.equal((await subscribe(owner, `${service.url}/push/mine`)).status, 204);
    assert.equal((await subscribe(other, `${service.url}/push/theirs`)).status, 204);
    assert.equal((await other.request('DELETE', Route.pushSubscriptions)).status, 204);
    // GET gives the key only, never a subscription.
    assert.deepEqual(Object.keys(JSON.parse((await other.request('GET', Route.pushSubscriptions)).text) as object), ['publicKey']);
    // An endpoint that is not a push service would have the server POST anywhere: refused.
    const elsewhere = await subscribe(owner, 'https://intranet.example/admin');
    assert.equal(elsewhere.status, 400, elsewhere.text);
    assert.match(elsewhere.text, /not a push service/);

    assert.equal((await owner.append('mine.bin', 0, randomFile(500), { [Header.fileSize]: '2000' })).status, 200);
    await until(() => service.arrived.some((push) => push.path === '/push/mine'), 10_000, 'the owner\'s push');
    assert.ok(!service.arrived.some((push) => push.path === '/push/theirs'), 'the other owner had nothing to push for, and deleted theirs');
    assert.equal((await owner.cancel('mine.bin')).status, 204);
  });

  it('forgets a subscription the push service says is gone (410)', async () => {
    const owner = new Client(server.url);
    await owner.ensureOwner();
    const keys = browserKeys();
    await owner.request('POST', Route.pushSubscriptions, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ endpoint: `${service.url}/gone/one`, keys: { p256dh: keys.p256dh, auth: keys.auth } })));
    assert.equal((await owner.append('gone.bin', 0, randomFile(500), { [Header.fileSize]: '2000' })).status, 200);
    await until(() => service.arrived.some((push) => push.path === '/gone/one'), 10_000, 'a push to the gone endpoint');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(service.arrived.filter((push) => push.path === '/gone/one').length, 1, 'never pushed to again');
    await owner.cancel('gone.bin');
  });
});
