// `npm run start:cluster`: the whole scale-out topology on loopback (docs/cluster.md).
// Ctrl-C or SIGTERM stops every daemon it started, and only those.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureClusterDaemons } from '../packages.js';
import { startCluster } from './cluster.js';

try {
  ensureClusterDaemons("The cluster's daemons (Ceph, Redis and nginx)");
} catch (error) {
  console.error(`ferry cluster: ${(error as Error).message}`);
  process.exit(1);
}
// The standalone server's variables, with its defaults (README): where to listen and keep data, what to serve.
const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const config = { port: Number(env('PORT', '8080')), dataDir: path.resolve(env('DATA_DIR', './data')), staticDir: path.resolve(env('STATIC_DIR', './dist')), logLevel: env('LOG_LEVEL', 'info') };
if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
  console.error(`ferry cluster: PORT must be a port number, got "${env('PORT', '8080')}"`);
  process.exit(2);
}
const dir = path.join(config.dataDir, 'cluster');
await rm(dir, { recursive: true, force: true }); // throw-away: each start is a fresh cluster
console.log('ferry cluster: starting Ceph (monitor, OSD, RADOS Gateway), redis-server, 2 Ferry instances and nginx…');
const startedAt = Date.now();
const cluster = await startCluster({
  dir,
  port: config.port,
  instances: 2,
  env: { STATIC_DIR: config.staticDir, LOG_LEVEL: config.logLevel },
  logs: 'inherit',
  say: (line) => console.log(`ferry cluster: ${line}`),
}).catch((error: unknown) => {
  console.error(`ferry cluster: could not start: ${(error as Error).message}`);
  process.exit(1);
});
console.log(`ferry cluster: up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s
  app and API (nginx, round-robin)  ${cluster.url}
  Ferry instances                   ${cluster.instances.map((each) => each.url).join('  ')}
  S3 (RADOS Gateway)                ${cluster.ceph.endpoint}  bucket "ferry"
  Redis                             ${cluster.redis.url}
  data (thrown away at the next start) ${dir}
Ctrl-C stops everything.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('ferry cluster: stopping nginx, the Ferry instances (they flush their appends), Redis and Ceph…');
    cluster.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
