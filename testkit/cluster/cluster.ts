// The scale-out topology on one machine (issue 6): a single-node Ceph cluster with the
// RADOS Gateway, redis-server, N Ferry instances on the S3 store, and nginx in front.
// Used by `npm run start:cluster`, the cluster tests and the bench.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { forkFerry, type FerryProcess } from '../ferry.js';
import type { Logs } from '../processes.js';
import { startCeph, type CephCluster } from './ceph.js';
import { freePort } from './daemons.js';
import { startNginx, type Nginx } from './nginx.js';
import { watchReadiness, type ReadinessWatch } from './readiness.js';
import { startRedis, type RedisServer } from './redis.js';

export interface ClusterOptions {
  /** Everything the cluster writes goes under here. */
  dir: string;
  /** nginx's port; 0 picks a free one. */
  port: number;
  instances: number;
  /** Extra environment for every Ferry instance (LOG_LEVEL, STATIC_DIR, …). */
  env: Record<string, string>;
  /** Ferry's log lines: to this terminal, or nowhere. */
  logs: Logs;
  /** Told when nginx's routing changes (an instance out of, or back in, the rotation). */
  say?: (line: string) => void;
}

export interface FerryInstance {
  port: number;
  url: string;
  child: ChildProcess;
  /** Start it again on the same port (after a kill). */
  restart(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface Cluster {
  url: string;
  ceph: CephCluster;
  redis: RedisServer;
  instances: FerryInstance[];
  nginx: Nginx;
  /** nginx sends only to the instances whose /readyz answers 200. */
  readiness: ReadinessWatch;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const each of stops.reverse()) await each().catch(() => undefined);
  };
  try {
    const ceph = await startCeph(path.join(options.dir, 'ceph'));
    stops.push(ceph.stop);
    const redis = await startRedis(path.join(options.dir, 'redis'));
    stops.push(redis.stop);
    const env: Record<string, string> = {
      // Every instance signs and checks owner tokens with one secret.
      OWNER_SECRET: randomBytes(32).toString('base64url'),
      ...options.env,
      HOST: '127.0.0.1',
      STORE: 's3',
      S3_ENDPOINT: ceph.endpoint,
      S3_REGION: ceph.region,
      S3_BUCKET: 'ferry',
      AWS_ACCESS_KEY_ID: ceph.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ceph.secretAccessKey,
      REDIS_URL: redis.url,
    };
    const instances: FerryInstance[] = [];
    for (let n = 1; n <= options.instances; n++) {
      const instance = await startInstance(await freePort(), env, path.join(options.dir, `ferry-${n}`), options.logs);
      instances.push(instance);
      stops.push(() => instance.kill('SIGTERM'));
    }
    const port = options.port || (await freePort());
    const nginx = await startNginx(path.join(options.dir, 'nginx'), port, instances.map((each) => each.port));
    stops.push(() => nginx.stop());
    const readiness = watchReadiness(nginx, instances.map((each) => each.url), options.say);
    stops.push(() => readiness.stop());
    return { url: `http://127.0.0.1:${port}`, ceph, redis, instances, nginx, readiness, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startInstance(port: number, env: Record<string, string>, dataDir: string, logs: Logs): Promise<FerryInstance> {
  let ferry: FerryProcess = await forkFerry({ env, dataDir, port, logs });
  return {
    port,
    url: ferry.url,
    get child() {
      return ferry.child;
    },
    async restart() {
      ferry = await ferry.restart();
    },
    kill: (signal) => ferry.stop(signal),
  };
}
