// Where the schedule runs: one server on the filesystem store, one on S3 (Ceph), or the cluster
// (two instances, Redis, nginx). Every request goes through a FaultProxy, so a connection can be
// held by a middlebox; each target names the process faults it can inject.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { startCeph } from '../cluster/ceph.js';
import { freePort } from '../cluster/daemons.js';
import { FaultProxy } from '../fault-proxy.js';
import { distDir, forkFerry, type FerryProcess } from '../ferry.js';

export type StoreName = 'fs' | 's3' | 'cluster';
export type ProcessFault = 'kill -9' | 'SIGTERM' | 'instance killed' | 'redis restarted' | 'gateway restarted';

export interface ChaosTarget {
  proxy: FaultProxy;
  /** Faults of processes this target can inject. */
  faults: readonly ProcessFault[];
  /** Inject one, and bring everything back up. */
  inject(fault: ProcessFault): Promise<void>;
  /** The newest server log lines (kept for a failing seed). */
  logTail(): string[];
  close(): Promise<void>;
}

const LOG_LINES = 300;

function logKeeper() {
  const lines: string[] = [];
  const keep = (text: string) => {
    lines.push(...text.split('\n').filter(Boolean));
    if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
  };
  return { lines, keep };
}

const quiet = { LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info', STATIC_DIR: distDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** One server process; `restart` by kill -9 or SIGTERM on the same data and port. */
async function single(env: Record<string, string>, dir: string, extraStop: () => Promise<void>, extraFaults: Partial<Record<ProcessFault, () => Promise<void>>> = {}): Promise<ChaosTarget> {
  const logs = logKeeper();
  const port = await freePort();
  let ferry: FerryProcess = await forkFerry({ env: { ...quiet, ...env }, dataDir: path.join(dir, 'data'), port, logs: logs.keep });
  const proxy = await new FaultProxy(port).listen();
  const faults: Partial<Record<ProcessFault, () => Promise<void>>> = {
    'kill -9': async () => void (ferry = await ferry.restart()),
    SIGTERM: async () => void (ferry = await ferry.reconfigure({})),
    ...extraFaults,
  };
  return {
    proxy,
    faults: Object.keys(faults) as ProcessFault[],
    inject: (fault) => faults[fault]!(),
    logTail: () => logs.lines,
    async close() {
      await proxy.close();
      await ferry.close();
      await extraStop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startTarget(store: StoreName): Promise<ChaosTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `ferry-chaos-${store}-`));
  if (store === 'fs') return single({}, dir, async () => undefined);
  if (store === 's3') {
    const ceph = await startCeph(path.join(dir, 'ceph'));
    const env = {
      STORE: 's3', S3_ENDPOINT: ceph.endpoint, S3_REGION: ceph.region, S3_BUCKET: 'ferry',
      AWS_ACCESS_KEY_ID: ceph.accessKeyId, AWS_SECRET_ACCESS_KEY: ceph.secretAccessKey,
    };
    return single(env, dir, () => ceph.stop(), { 'gateway restarted': () => ceph.restartGateway() });
  }
  return clusterTarget(dir);
}

async function clusterTarget(dir: string): Promise<ChaosTarget> {
  const logs = logKeeper();
  const cluster: Cluster = await startCluster({
    dir, port: 0, instances: 2, env: { ...quiet, OWNER_SECRET: randomBytes(32).toString('base64url') }, logs: logs.keep,
  });
  const proxy = await new FaultProxy(Number(new URL(cluster.url).port)).listen();
  let turn = 0;
  const restartInstance = async (signal: NodeJS.Signals) => {
    const instance = cluster.instances[turn++ % cluster.instances.length]!;
    await instance.kill(signal);
    await instance.restart();
  };
  const faults: Record<Extract<ProcessFault, 'instance killed' | 'SIGTERM' | 'redis restarted' | 'gateway restarted'>, () => Promise<void>> = {
    'instance killed': () => restartInstance('SIGKILL'),
    SIGTERM: () => restartInstance('SIGTERM'),
    'redis restarted': () => cluster.redis.restart(),
    'gateway restarted': () => cluster.ceph.restartGateway(),
  };
  return {
    proxy,
    faults: Object.keys(faults) as ProcessFault[],
    inject: (fault) => faults[fault as keyof typeof faults](),
    logTail: () => logs.lines,
    async close() {
      await proxy.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
