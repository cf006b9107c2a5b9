// createFerry with the default identity (owner cookie plus bearer tokens), mounted at /files: the
// browser's cookie, minted there only when asked, and the tokens it mints, all under the mount.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { createLogger } from '../log.js';
import { createFerry, prepareServer, type Ferry } from '../create-ferry.js';
import { tempDir } from './helpers.js';
import { listenLocally } from '../../testkit/sockets.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

describe('createFerry with the default identity', () => {
  const open: Array<{ ferry: Ferry; server: Server }> = [];
  afterEach(async () => {
    for (const { ferry, server } of open.splice(0)) {
      await ferry.close();
      server.close();
    }
  });

  async function mounted(issueOwnerCookies: boolean): Promise<string> {
    const ferry = await createFerry({ logger, dataDir: await tempDir(), basePath: '/files', issueOwnerCookies });
    const handle = (req: Parameters<Ferry['handle']>[0], res: Parameters<Ferry['handle']>[1]) => ferry.handle(req, res);
    const server = prepareServer(createServer(handle), handle);
    open.push({ ferry, server });
    return `${await listenLocally(server)}/files`;
  }

  it('serves /tokens under the mount: the cookie owner mints one, and an upload with it is that owner\'s', async () => {
    const url = await mounted(true);
    const first = await fetch(`${url}/quota`);
    const cookie = first.headers.get('set-cookie')!.split(';', 1)[0]!;
    assert.match(cookie, /^ferry_owner=/);
    const minted = await fetch(`${url}/tokens`, { method: 'POST', headers: { cookie } });
    assert.equal(minted.status, 201, await minted.clone().text());
    const { token } = await minted.json() as { token: string };
    const sent = await fetch(`${url}/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, [Header.fileId]: 'by-token', [Header.startByte]: '0', [Header.fileSize]: '3' }, body: 'abc' });
    assert.equal(sent.status, 200, await sent.text());
    const listed = await (await fetch(`${url}/files`, { headers: { cookie } })).json() as Array<{ id: string }>;
    assert.deepEqual(listed.map((entry) => entry.id), ['by-token']);
    const tokens = await (await fetch(`${url}/tokens`, { headers: { cookie } })).json() as unknown[];
    assert.equal(tokens.length, 1);
  });

  it('without issueOwnerCookies mints no owner: no cookie set, /tokens refuses, uploads are 401', async () => {
    const url = await mounted(false);
    const minted = await fetch(`${url}/tokens`, { method: 'POST' });
    assert.equal(minted.status, 403);
    assert.equal(minted.headers.get('set-cookie'), null);
    const status = await fetch(`${url}/status`, { headers: { [Header.fileId]: 'x' } });
    assert.equal(status.status, 401);
    assert.equal(status.headers.get('set-cookie'), null);
  });
});
