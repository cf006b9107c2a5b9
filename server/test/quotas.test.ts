// Quotas on one server, and the free space it keeps (a filesystem can tell; the cluster's object store cannot).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, randomFile, singleServer, startServer, type TestServer } from './helpers.js';
import { quotaRaceSuite } from './suites/quota-races.js';
import { QUOTA_ENV, quotaSuite } from './suites/quotas.js';

quotaSuite('one server', () => singleServer(QUOTA_ENV));
quotaRaceSuite('one server', () => singleServer(QUOTA_ENV));

describe('free space', () => {
  let server: TestServer;
  // More free space wanted than any disk has: every new upload must be refused.
  before(async () => (server = await startServer({ MIN_FREE_BYTES: String(2 ** 52) })));
  after(() => server.close());

  it('refuses new uploads with 507 and Retry-After below MIN_FREE_BYTES, storing nothing', async () => {
    const client = new Client(server.url);
    const answer = await client.append('new', 0, randomFile(1000), { [Header.fileSize]: '1000' });
    assert.equal(answer.status, 507);
    assert.ok(Number(answer.headers.get('retry-after')) > 0);
    assert.equal((await client.status('new')).offset, 0);
  });
});

describe('free files', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ MIN_FREE_FILES: String(2 ** 52) })));
  after(() => server.close());

  it('refuses new uploads and new tokens with 507 below MIN_FREE_FILES (issue 28, M4)', async () => {
    const client = new Client(server.url);
    assert.equal((await client.append('new', 0, randomFile(1000), { [Header.fileSize]: '1000' })).status, 507);
    const mint = await client.request('POST', '/tokens');
    assert.equal(mint.status, 507, mint.text);
  });
});
