// The S3 store against the storage port's shared contract, on a real single-node
// Ceph cluster with the RADOS Gateway (docs/cluster.md), one bucket per test.
import { after, before } from 'node:test';
import { rm } from 'node:fs/promises';
import { startCeph, type CephCluster } from '../../testkit/cluster/ceph.js';
import { Bucket, s3Client } from '../store/s3-bucket.js';
import { MIN_PART_BYTES, S3Store } from '../store/s3-store.js';
import { storeConformance } from './store-conformance.js';
import { tempDir } from './helpers.js';

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
