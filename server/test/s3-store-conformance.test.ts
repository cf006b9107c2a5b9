// The S3 store against the storage port's shared contract, on a real single-node
// Ceph cluster with the RADOS Gateway (docs/cluster.md), one bucket per test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rm } from 'node:fs/promises';
import { startCeph, type CephCluster } from '../../testkit/cluster/ceph.js';
import { isStoreUnreachable } from '../errors.js';
import { Bucket, s3Client } from '../store/s3-bucket.js';
import { MIN_PART_BYTES, S3Store } from '../store/s3-store.js';
import { storeConformance } from './store-conformance.js';
import { eventually, tempDir } from './helpers.js';

let ceph: CephCluster;
let buckets = 0;

before(async () => {
  ceph = await startCeph(await tempDir('ferry-ceph-'));
});

after(async () => {
  await ceph.stop();
  await rm(ceph.dir, { recursive: true, force: true });
});

storeConformance('S3 on Ceph', async () => {
  const client = s3Client({ endpoint: ceph.endpoint, region: ceph.region, bucket: '', credentials: ceph });
  const bucket = new Bucket(client, `ferry-test-${++buckets}`);
  // The smallest part S3 allows, so a few MiB already span several parts.
  const open = async () => {
    const store = new S3Store(bucket, MIN_PART_BYTES, 64 * 1024 ** 3);
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open, cleanup: async () => undefined };
});

// Issue 32: the chaos schedule saw 500s while the RADOS Gateway restarted. What the store throws then
// must read as "unreachable", which the server answers 503 with Retry-After.
const OWNER = 'a'.repeat(64);

describe('S3 on Ceph while the gateway restarts', () => {
  it('fails only with errors the server answers 503', async () => {
    const client = s3Client({ endpoint: ceph.endpoint, region: ceph.region, bucket: '', credentials: ceph });
    const store = new S3Store(new Bucket(client, `ferry-test-${++buckets}`), MIN_PART_BYTES, 64 * 1024 ** 3);
    await store.init();
    const failures: unknown[] = [];
    let restarted = false;
    // Down until a read has failed: a gateway back within the SDK's own retries would test nothing
    // (one fresh-clone run saw no read fail in a 235 ms restart).
    const failed = () => eventually(async () => (failures.length > 0 ? true : undefined), 30_000, 'a read to fail while the gateway is down');
    const restarting = ceph.restartGateway(failed).finally(() => (restarted = true));
    while (!restarted) {
      await store.held(OWNER, 'file').catch((error: unknown) => failures.push(error));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await restarting;
    assert.ok(failures.length > 0, 'reads failed while the gateway was down');
    for (const failure of failures) assert.ok(isStoreUnreachable(failure), `an error the server would answer 500: ${String(failure)}`);
    assert.equal((await store.held(OWNER, 'file')).unknown, true, 'the store answers again once the gateway is back');
  });
});
