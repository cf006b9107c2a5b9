// Bearer tokens under abuse (issue 28: M1, M4, L1, L2): changes to one owner's tokens race,
// cookieless mints, origins that are no URL, and the per-owner cap. Run with TOKEN_ABUSE_ENV,
// on one server and through the cluster (where a revocation must hold on every instance).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Problem } from '../../../common/protocol.js';
import { Client, type Target } from '../helpers.js';

export const TOKEN_ABUSE_ENV = { MAX_OWNER_TOKENS: '5' };

async function mint(browser: Client): Promise<{ id: string; token: string }> {
  const answer = await browser.request('POST', '/tokens');
  assert.equal(answer.status, 201, answer.text);
  return JSON.parse(answer.text) as { id: string; token: string };
}

/** A status asked with a bearer token and no cookie. */
async function statusWith(urls: readonly string[], token: string): Promise<number> {
  const client = new Client(urls);
  return (await client.request('GET', '/status', { 'x-file-id': 'x', authorization: `Bearer ${token}` })).status;
}

export function tokenAbuseSuite(where: string, start: () => Promise<Target>): void {
  describe(`bearer tokens under abuse: ${where}`, () => {
    let server: Target;
    before(async () => (server = await start()));
    after(() => server.close());

    it('M1: of two revocations at once, one answers 204 and the other 404, and the token is dead on every instance', async () => {
      const browser = new Client(server.urls);
      await browser.ensureOwner();
      for (let round = 0; round < 10; round++) {
        const { id, token } = await mint(browser);
        const answers = await Promise.all([0, 1].map(() => browser.request('DELETE', `/tokens/${id}`)));
        assert.deepEqual(answers.map((answer) => answer.status).sort(), [204, 404], answers.map((answer) => answer.text).join(' | '));
        for (const url of server.urls) assert.equal(await statusWith([url], token), 401, `round ${round}: revoked, yet taken at ${url}`);
      }
    });

    it('M1: a revocation racing a mint loses neither: the revoked token is dead and the new one works', async () => {
      const browser = new Client(server.urls);
      await browser.ensureOwner();
      for (let round = 0; round < 5; round++) {
        const old = await mint(browser);
        const [revoked, minted] = await Promise.all([browser.request('DELETE', `/tokens/${old.id}`), browser.request('POST', '/tokens')]);
        assert.equal(revoked.status, 204);
        assert.equal(minted.status, 201, minted.text);
        const fresh = JSON.parse(minted.text) as { id: string; token: string };
        assert.equal(await statusWith(server.urls, old.token), 401, `round ${round}: the revoked token still works`);
        assert.equal(await statusWith(server.urls, fresh.token), 200);
        assert.equal((await browser.request('DELETE', `/tokens/${fresh.id}`)).status, 204);
      }
    });

    it('L2: past the cap a mint is a 409 problem, never a 500, even when mints race', async () => {
      const browser = new Client(server.urls);
      await browser.ensureOwner();
      const answers = await Promise.all(Array.from({ length: 8 }, () => browser.request('POST', '/tokens')));
      assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 201, 201, 201, 201, 409, 409, 409]);
      const refused = answers.find((answer) => answer.status === 409)!;
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
      const problem = JSON.parse(refused.text) as { type: string; limit: number };
      assert.equal(problem.type, Problem.tokenLimit);
      assert.equal(problem.limit, 5);
      assert.equal((JSON.parse((await browser.request('GET', '/tokens')).text) as unknown[]).length, 5, 'every 201 was kept');
    });

    it('M4: a request without a valid owner cookie mints nothing', async () => {
      for (const cookie of [undefined, 'ferry_owner=forged.forged']) {
        const stranger = new Client(server.urls);
        const answer = await stranger.request('POST', '/tokens', cookie ? { cookie } : {});
        assert.equal(answer.status, 403, answer.text);
        assert.match(answer.text, /open the app first/);
      }
    });

    it('L1: Origin null, or no URL at all, on /tokens is 403, not 500', async () => {
      const browser = new Client(server.urls);
      await browser.ensureOwner();
      for (const origin of ['null', '::not a url::', 'http://']) {
        for (const [method, route] of [['POST', '/tokens'], ['GET', '/tokens'], ['DELETE', '/tokens/0123456789abcdef']] as const) {
          const answer = await browser.request(method, route, { origin });
          assert.equal(answer.status, 403, `${method} ${route} with Origin ${origin}: ${answer.text}`);
        }
      }
    });
  });
}
