// The scale-out topology as a test target: Ceph + Redis + two Ferry instances + nginx.
import { rm } from 'node:fs/promises';
import { startCluster, type Cluster } from '../../testkit/cluster/cluster.js';
import { distDir, tempDir, type Target } from './helpers.js';

// A test runner stops a file that overruns its timeout with SIGTERM; exiting (rather than dying)
// lets the cluster's daemons be killed with it (testkit/cluster/daemons.ts).
process.once('SIGTERM', () => process.exit(143));

export async function testCluster(extraEnv: Record<string, string> = {}): Promise<Cluster & { close(): Promise<void> }> {
  const dir = await tempDir('ferry-cluster-');
  const cluster = await startCluster({
    dir,
    port: 0,
    instances: 2,
    env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', STATIC_DIR: distDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extraEnv },
    logs: process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore',
    ...(process.env.TEST_LOG_LEVEL ? { say: (line: string) => console.log(`cluster: ${line}`) } : {}),
  });
  return {
    ...cluster,
    async close() {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The cluster as a suite target whose requests alternate between the two instances. */
export async function alternatingInstances(env: Record<string, string> = {}): Promise<Target> {
  const cluster = await testCluster(env);
  return { urls: cluster.instances.map((instance) => instance.url), close: () => cluster.close() };
}
