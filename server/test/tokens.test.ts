import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, eventually, randomFile, singleServer, startServer, type TestServer } from './helpers.js';
import { tokenAbuseSuite, TOKEN_ABUSE_ENV } from './suites/token-abuse.js';
import { TOKENS_ENV, tokenSuite } from './suites/tokens.js';

tokenSuite('one server', () => singleServer(TOKENS_ENV));

tokenAbuseSuite('one server', () => singleServer(TOKEN_ABUSE_ENV));

describe('token records of owners with nothing stored (issue 28, M4)', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ UPLOAD_TTL: '1s', SWEEP_INTERVAL: '200ms' })));
  after(() => server.close());

  it('are swept after UPLOAD_TTL; an owner who keeps a file keeps its tokens', async () => {
    const mintFor = async (client: Client) => {
      await client.ensureOwner();
      const answer = await client.request('POST', '/tokens');
      assert.equal(answer.status, 201, answer.text);
      return (JSON.parse(answer.text) as { token: string }).token;
    };
    const idle = new Client(server.url);
    const keeper = new Client(server.url);
    const [idleToken, keeperToken] = [await mintFor(idle), await mintFor(keeper)];
    assert.equal((await keeper.upload('kept', randomFile(1000), 1000)).status, 200);
    const statusWith = async (token: string) => (await new Client(server.url).request('GET', '/status', { 'x-file-id': 'x', authorization: `Bearer ${token}` })).status;
    await eventually(async () => ((await statusWith(idleToken)) === 401 ? true : undefined), 5000, 'the idle owner\'s token to be swept');
    assert.equal(await statusWith(keeperToken), 200);
  });
});
