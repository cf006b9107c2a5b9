// Bearer tokens (issue 17): minted by the owner's browser, accepted on every route, bound to
// that owner, revocable; CORS for the origins allowed. Run with TOKENS_ENV.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../../common/protocol.js';
import { Client, MiB, randomFile, sha256, type Target } from '../helpers.js';

export const TOKENS_ENV = { CORS_ORIGINS: 'https://app.example' };

/** A client that sends a bearer token and no cookie. */
class Bearer extends Client {
  constructor(urls: readonly string[], private readonly token: string) {
    super(urls);
  }

  override request(method: string, route: string, headers: Record<string, string> = {}, body?: Uint8Array) {
    this.cookie = undefined; // never one: only the token speaks
    return super.request(method, route, { ...headers, authorization: `Bearer ${this.token}` }, body);
  }

  override async download(id: string) {
    return super.download(id, { authorization: `Bearer ${this.token}` });
  }
}

async function mint(browser: Client): Promise<{ id: string; token: string }> {
  const answer = await browser.request('POST', '/tokens');
  assert.equal(answer.status, 201, answer.text);
  return JSON.parse(answer.text) as { id: string; token: string };
}

export function tokenSuite(where: string, start: () => Promise<Target>): void {
  describe(`bearer tokens: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  it('mints a token for the browser\'s owner, lists it without its secret, and takes it on the Ferry protocol and tus', async () => {
    const browser = new Client(server.urls);
    await browser.ensureOwner();
    const { id, token } = await mint(browser);
    const listed = JSON.parse((await browser.request('GET', '/tokens')).text) as Array<Record<string, unknown>>;
    assert.deepEqual(listed.map((entry) => Object.keys(entry).sort()), [['createdAt', 'id']]);
    assert.equal(listed[0]!.id, id);

    const curl = new Bearer(server.urls, token);
    const file = randomFile(2 * MiB);
    assert.equal((await curl.upload('from-a-script', file, MiB)).status, 200);
    const created = await curl.request('POST', '/uploads/', { 'tus-resumable': '1.0.0', 'upload-length': String(file.length), 'content-type': 'application/offset+octet-stream' }, file);
    assert.equal(created.status, 201, created.text);
    const tusId = created.headers.get('location')!.split('/').pop()!;
    const mine = (await browser.list()).map((entry) => [entry.id, entry.sha256]).sort();
    assert.deepEqual(mine, [['from-a-script', sha256(file)], [tusId, sha256(file)]].sort(), 'both land with the browser\'s owner');
    assert.equal(sha256((await curl.download('from-a-script')).bytes), sha256(file));
  });

  it('answers a forged, malformed or revoked token with 401 and WWW-Authenticate, and never falls back to a cookie', async () => {
    const browser = new Client(server.urls);
    await browser.ensureOwner();
    const { id, token } = await mint(browser);
    const [owner, , secret] = token.split('.');
    const forged = ['', `${owner}.0123456789abcdef.${secret}`, `${owner}.${id}.${'x'.repeat(43)}`, 'not-a-token', `${'0'.repeat(64)}.${id}.${secret}`];
    for (const bad of forged) {
      const answer = await new Bearer(server.urls, bad).status('anything');
      assert.equal(answer.status, 401, bad);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await new Bearer(server.urls, token).status('x')).status, 200);
    assert.equal((await browser.request('DELETE', `/tokens/${id}`)).status, 204);
    assert.equal((await new Bearer(server.urls, token).status('x')).status, 401, 'a revoked token is refused at once, on every instance');
    assert.equal((await browser.request('DELETE', `/tokens/${id}`)).status, 404);
    const withCookieToo = await browser.request('GET', '/files', { authorization: `Bearer ${token}` });
    assert.equal(withCookieToo.status, 401, 'a bad token is not rescued by a cookie');
  });

  it('binds a token to its owner: another owner\'s upload is not found with it, and tokens manage only from the app', async () => {
    const alice = new Client(server.urls);
    const bob = new Client(server.urls);
    await Promise.all([alice.ensureOwner(), bob.ensureOwner()]);
    const created = await alice.request('POST', '/uploads/', { 'tus-resumable': '1.0.0', 'upload-length': '100' });
    const url = created.headers.get('location')!;
    const bobs = new Bearer(server.urls, (await mint(bob)).token);
    assert.equal((await bobs.request('HEAD', url, { 'tus-resumable': '1.0.0' })).status, 404);
    assert.equal((await bobs.request('POST', '/tokens')).status, 403, 'a token cannot mint tokens');
    assert.equal((await alice.request('POST', '/tokens', { origin: 'https://evil.example' })).status, 403);
  });

  it('lets an allowed origin call the API with CORS, exposing the protocol headers, and gives others nothing', async () => {
    const client = new Client(server.urls);
    const preflight = await client.request('OPTIONS', '/uploads/', { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, tus-resumable, upload-offset' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(preflight.headers.get('access-control-allow-methods')!, /PATCH/);
    assert.match(preflight.headers.get('access-control-allow-headers')!, /authorization/);
    const simple = await client.request('OPTIONS', '/uploads/', { origin: 'https://app.example' });
    assert.match(simple.headers.get('access-control-expose-headers')!, /location, upload-offset/);
    assert.equal(simple.headers.get('tus-version'), '1.0.0', 'a plain OPTIONS is still tus discovery');
    const stranger = await client.request('GET', '/files', { origin: 'https://evil.example' });
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    assert.equal((await client.request('HEAD', `/status`, { [Header.fileId]: 'x', origin: 'https://evil.example' })).headers.get('access-control-allow-origin'), null);
  });
  });
}
