// Issue 6: the scale-out topology (nginx → two Ferry instances on Ceph's S3 gateway, Redis
// locks) against one Ferry on the filesystem store, with the same concurrent uploads, in
// the same run, alternating rounds; medians.
import path from 'node:path';
import { startCluster } from '../testkit/cluster/cluster.js';
import { median } from './app-session.js';
import { settleDisk } from './processes.js';
import { concurrently, post, startFerry } from './server-bench.js';

export interface ClusterVersusSingle {
  clusterSeconds: number;
  singleSeconds: number;
}

export async function clusterVersusSingle(work: string, file: string, bytes: number, count: number, rounds: number): Promise<ClusterVersusSingle> {
  const single = await startFerry(path.join(work, 'cluster-single-data'));
  const cluster = await startCluster({
    dir: path.join(work, 'cluster'),
    port: 0,
    instances: 2,
    env: { LOG_LEVEL: process.env.BENCH_LOGS ? 'info' : 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    logs: process.env.BENCH_LOGS ? 'inherit' : 'ignore',
  });
  const upload = (url: string, round: number) => concurrently(count, (index) => post(`${url}/upload`, file, bytes, {
    'X-File-Id': `cluster-${round}-${index}`, 'X-Start-Byte': '0', 'X-File-Size': String(bytes),
  }));
  try {
    const clusterSeconds: number[] = [];
    const singleSeconds: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await settleDisk();
      singleSeconds.push(await upload(single.url, round));
      await settleDisk();
      clusterSeconds.push(await upload(cluster.url, round));
    }
    return { clusterSeconds: median(clusterSeconds), singleSeconds: median(singleSeconds) };
  } finally {
    await cluster.stop();
    await single.stop();
  }
}
