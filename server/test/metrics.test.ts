// What an operator can watch (issue 32): /metrics counts what uploads do, /healthz answers while the
// process does, /readyz says 503 while Redis is away and 200 once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header, Problem } from '../../common/protocol.js';
import { startRedis } from '../../testkit/cluster/redis.js';
import { ensureClusterDaemons } from '../../testkit/packages.js';
import { Client, digestOf, eventually, MiB, randomFile, startServer, tempDir, type TestServer } from './helpers.js';

/** The value of one sample line of Prometheus text, e.g. `ferry_uploads_created_total{protocol="ferry"}`. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((each) => each.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

describe('metrics', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ METRICS: '1', MAX_OWNER_BYTES: String(4 * MiB) })));
  after(() => server.close());

  const scrape = async () => {
    const answer = await fetch(`${server.url}/metrics`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^text\/plain/);
    return answer.text();
  };

  it('counts uploads created and completed by protocol, bytes received and kept, refusals, fsyncs and appends open', async () => {
    const before = await scrape();
    const client = new Client(server.url);
    const file = randomFile(MiB);
    assert.equal((await client.upload('counted', file, MiB / 2)).status, 200);
    const created = await client.request('POST', '/uploads/', { 'tus-resumable': '1.0.0', 'upload-length': '10', 'content-type': 'application/offset+octet-stream' }, randomFile(10));
    assert.equal(created.status, 201);
    const bad = await client.append('bad', 0, randomFile(100), { [Header.fileSize]: '1000', [Header.contentDigest]: digestOf(Buffer.from('other')) });
    assert.equal(JSON.parse(bad.text).type, Problem.contentDigestMismatch);
    const tooBig = await client.append('too-big', 0, randomFile(10), { [Header.fileSize]: String(8 * MiB) });
    assert.equal(tooBig.status, 413);

    const after = await scrape();
    const grew = (name: string) => sample(after, name) - sample(before, name);
    assert.equal(grew('ferry_uploads_created_total{protocol="ferry"}'), 2, 'counted and bad (too-big was refused before it was created)');
    assert.equal(grew('ferry_uploads_created_total{protocol="tus"}'), 1);
    assert.equal(grew('ferry_uploads_completed_total{protocol="ferry"}'), 1);
    assert.equal(grew('ferry_uploads_completed_total{protocol="tus"}'), 1);
    assert.ok(grew('ferry_bytes_received_total') >= MiB + 10 + 100);
    assert.equal(grew('ferry_bytes_kept_total'), MiB + 10);
    assert.equal(grew('ferry_requests_refused_total{reason="digest-mismatch"}'), 1);
    assert.equal(grew('ferry_requests_refused_total{reason="quota"}'), 1);
    assert.ok(grew('ferry_store_seconds_count{operation="fsync"}') >= 2, 'each append\'s fsync is timed');
    assert.equal(sample(after, 'ferry_appends_open'), 0);
    assert.match(after, /ferry_process_cpu_user_seconds_total/);
  });

  it('answers /healthz and /readyz', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });
});

describe('metrics off, or on a port of their own', () => {
  it('serves no metrics on the main port unless METRICS=1; with METRICS_PORT, only there', async () => {
    const off = await startServer();
    try {
      assert.doesNotMatch(await (await fetch(`${off.url}/metrics`)).text(), /ferry_uploads_created_total/);
    } finally {
      await off.close();
    }
    const apart = await startServer({ METRICS: '1', METRICS_PORT: '0' });
    try {
      assert.doesNotMatch(await (await fetch(`${apart.url}/metrics`)).text(), /ferry_uploads_created_total/);
      const port = apart.ferry.metricsPort!;
      assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /ferry_uploads_created_total/);
    } finally {
      await apart.close();
    }
  });
});

describe('readiness and Redis', () => {
  it('is 503 while Redis is away and 200 once it is back', async (t) => {
    try {
      ensureClusterDaemons('The readiness test\'s Redis');
    } catch (error) {
      t.skip((error as Error).message);
      return;
    }
    const redis = await startRedis(await tempDir('ferry-redis-'));
    const server = await startServer({ REDIS_URL: redis.url });
    const readiness = async () => {
      const answer = await fetch(`${server.url}/readyz`);
      return { status: answer.status, text: await answer.text() };
    };
    try {
      assert.equal((await readiness()).status, 200);
      await redis.kill();
      const down = await eventually(async () => {
        const seen = await readiness();
        return seen.status === 503 ? seen : undefined;
      }, 10_000, 'readiness to fail');
      assert.match(down.text, /redis/);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process still answers');
      await redis.start();
      await eventually(async () => ((await readiness()).status === 200 ? true : undefined), 15_000, 'readiness to come back');
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});
