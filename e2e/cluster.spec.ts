// The worker's whole journey once against the scale-out topology (issue 6): the app served
// through nginx by two Ferry instances on Ceph, coordinated by Redis. Pick, cut every
// connection, reload the page, kill an instance with SIGKILL, and the file arrives exact.
// And the tutorial's client stopped and resumed, its status and appends on either instance.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startCluster, type Cluster } from '../build/testkit/cluster/cluster.js';
import { classicStopAndResume } from './classic-client.ts';
import type { Logs } from '../build/testkit/processes.js';
import { Harness, MB, type Backend } from './harness.ts';

const root = path.resolve(import.meta.dirname, '..');

/** The cluster, its instances' request logs kept as the test's evidence (printed if it fails). */
async function clusterBackend(logs: Logs): Promise<Backend & { cluster: Cluster }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-e2e-cluster-'));
  const cluster = await startCluster({
    dir,
    port: 0,
    instances: 2,
    env: { LOG_LEVEL: 'info', STATIC_DIR: path.join(root, 'dist'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    logs,
  });
  const backend = {
    cluster,
    url: cluster.url,
    port: Number(new URL(cluster.url).port),
    async restart() {
      // One instance dies; nginx sends everything to the other until it is back.
      const [victim] = cluster.instances;
      await victim!.kill('SIGKILL');
      await victim!.restart();
      return backend;
    },
    async close() {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return backend;
}

test('through the cluster: pick, cut every connection, reload, an instance killed, and the file arrives exact', async () => {
  test.setTimeout(180_000);
  const app = await Harness.start({}, clusterBackend);
  try {
    const { file, held } = await app.uploadMidway('site-survey.mp4', 12 * MB, MB);
    app.proxy.cutAll();
    await app.waitForServerOffset(file.name, held + 500_000);

    await app.page.reload();
    await expect(app.page.locator('body')).toHaveAttribute('data-ready', 'true');
    await expect(app.row(file.name)).toBeVisible();
    const beforeKill = await app.serverReceived(file.name);

    await app.restartServer();
    await app.waitForServerOffset(file.name, beforeKill + 500_000);
    app.proxy.throttle(undefined);
    await app.expectDone(file);
    await expect(app.row(file.name).locator('.message')).toContainText('Verified');
  } finally {
    await app.close();
  }
});

test('through the cluster: the classic client, stopped and resumed ten times through a middlebox, has every resume taken', async () => {
  test.setTimeout(180_000);
  const app = await Harness.start({}, clusterBackend);
  try {
    await classicStopAndResume(app);
  } finally {
    await app.close();
  }
});
