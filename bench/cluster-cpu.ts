// CPU per GiB of Ferry's worker uploading through the cluster: nginx, two instances on Ceph's S3
// gateway, Redis locks (issue 32 §4: the S3 store's checked mark, priced before and after). Every
// process counts: Chromium's by kind, and each daemon the cluster started by its command name.
import path from 'node:path';
import { startCluster } from '../testkit/cluster/cluster.js';
import { metered } from './cpu-per-gib.js';
import { perGiB, type CpuUse } from './cpu.js';
import { timeWorker } from './peer.js';

export async function measureClusterCpu(work: string, file: string, bytes: number): Promise<{ use: CpuUse; seconds: number }> {
  const cluster = await startCluster({
    dir: path.join(work, 'cluster'),
    port: 0,
    instances: 2,
    env: { LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    logs: 'ignore',
  });
  try {
    const watch = metered({}, true);
    const seconds = await timeWorker(cluster.url, file, watch);
    return { use: perGiB(watch.use(), bytes), seconds };
  } finally {
    await cluster.stop();
  }
}
