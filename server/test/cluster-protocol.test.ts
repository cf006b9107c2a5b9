// The single-server protocol suites a second time, through the cluster (issue 6): two Ferry
// instances on one Ceph bucket, coordinated by Redis, each request going to the other instance
// than the one before. Exact offsets, 409s, the ghost taken over from the other instance,
// racing writers, owners and their signed tokens, per-append and whole-file digests, quotas,
// byte-exact downloads.
import { alternatingInstances } from './cluster-helpers.js';
import { faultSuite } from './suites/faults.js';
import { ietfSuite } from './suites/ietf.js';
import { integritySuite } from './suites/integrity.js';
import { ownerSuite } from './suites/owners.js';
import { quotaRaceSuite } from './suites/quota-races.js';
import { QUOTA_ENV, quotaSuite } from './suites/quotas.js';
import { TOKENS_ENV, tokenSuite } from './suites/tokens.js';
import { TOKEN_ABUSE_ENV, tokenAbuseSuite } from './suites/token-abuse.js';
import { TUS_ENV, tusSuite } from './suites/tus.js';
import { uploadSuite } from './suites/upload.js';

uploadSuite('cluster, alternating instances', alternatingInstances);
faultSuite('cluster, alternating instances', alternatingInstances);
ownerSuite('cluster, alternating instances', alternatingInstances);
integritySuite('cluster, alternating instances', alternatingInstances);
quotaSuite('cluster, alternating instances', () => alternatingInstances(QUOTA_ENV));
quotaRaceSuite('cluster, alternating instances', () => alternatingInstances(QUOTA_ENV));
tusSuite('cluster, alternating instances', () => alternatingInstances(TUS_ENV));
tokenSuite('cluster, alternating instances', () => alternatingInstances(TOKENS_ENV));
tokenAbuseSuite('cluster, alternating instances', () => alternatingInstances(TOKEN_ABUSE_ENV));
ietfSuite('cluster, alternating instances', () => alternatingInstances());
