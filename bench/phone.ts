// The phone-class row (issue 34): a phone's cores are several times slower than this machine's, so
// the page and its service worker run slowed down, at a 10 MB/s link, Ferry's worker against
// tus-js-client's page under the same slowdown.
//
// CDP's Emulation.setCPUThrottlingRate would be the natural tool, but Chromium 156 refuses it on a
// service worker ("Operation is only supported for pages, not workers"), and on a page it slows only
// the main thread. So every renderer process (pages and workers) is put in a cgroup whose CFS quota
// is the machine's cores divided by the slowdown: all of a renderer's threads together get what a
// phone's would. Needs root and the cgroup v1 cpu controller (Linux); without them the row is skipped.
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { FaultProxy } from '../testkit/fault-proxy.js';
import { forkFerry } from '../testkit/ferry.js';
import { forkTusServer } from '../testkit/tus.js';
import type { Watch } from './app-session.js';
import { timeFerry } from './links.js';
import { timeTusPage } from './peer.js';
import { chromiumTree } from './processes.js';

const CPU_CGROUPS = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

/** Why renderers cannot be slowed down here, or undefined when they can. */
export async function phoneUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  return access(path.join(CPU_CGROUPS, 'cgroup.procs')).then(() => undefined, () => `no cgroup v1 cpu controller at ${CPU_CGROUPS}`);
}

/** A Watch that keeps every Chromium renderer in a cgroup with `cores / slowdown` of CPU while it runs. */
export function slowRenderers(slowdown: number): Watch {
  const group = path.join(CPU_CGROUPS, `ferry-phone-${process.pid}`);
  let timer: NodeJS.Timeout | undefined;
  let moving: Promise<void> | undefined;
  const moveRenderers = async () => {
    for (const pid of await chromiumTree()) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('--type=renderer')) await writeFile(path.join(group, 'cgroup.procs'), String(pid)).catch(() => undefined);
    }
  };
  return {
    async begin(_page: Page) {
      await mkdir(group, { recursive: true });
      await writeFile(path.join(group, 'cpu.cfs_period_us'), String(PERIOD_US));
      await writeFile(path.join(group, 'cpu.cfs_quota_us'), String(Math.round((PERIOD_US * os.cpus().length) / slowdown)));
      await moveRenderers();
      // A renderer started during the run (a new worker's process) joins within a tenth of a second.
      timer = setInterval(() => void (moving ??= moveRenderers().finally(() => (moving = undefined))), 100);
    },
    async end(_page: Page) {
      clearInterval(timer);
      await moving;
      const pids = (await readFile(path.join(group, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
      for (const pid of pids) await writeFile(path.join(CPU_CGROUPS, 'cgroup.procs'), pid).catch(() => undefined);
      await rmdir(group);
    },
  };
}

export interface PhoneResults {
  ferrySeconds: number;
  /** Ferry's upload is byte-exact on its server. */
  intact: boolean;
  tusSeconds: number;
  slowdown: number;
  bytesPerSecond: number;
}

/** Ferry's worker → Ferry, and tus-js-client → @tus/server, each through a `bytesPerSecond` link with renderers slowed `slowdown` ×. */
export async function measurePhone(work: string, file: string, bytesPerSecond = 10e6, slowdown = 4): Promise<PhoneResults> {
  const ferry = await forkFerry({ dataDir: path.join(work, 'phone-ferry'), env: { LOG_LEVEL: 'warn' } });
  const tus = await forkTusServer(path.join(work, 'phone-tus'));
  const ferryLink = await new FaultProxy(ferry.port).listen();
  const tusLink = await new FaultProxy(tus.port).listen();
  for (const link of [ferryLink, tusLink]) link.throttle(bytesPerSecond);
  try {
    const { seconds: ferrySeconds, intact } = await timeFerry(ferryLink.url, ferry.url, file, slowRenderers(slowdown));
    const tusSeconds = await timeTusPage(tusLink.url, file, slowRenderers(slowdown));
    return { ferrySeconds, intact, tusSeconds, slowdown, bytesPerSecond };
  } finally {
    await ferryLink.close();
    await tusLink.close();
    await ferry.close();
    await tus.stop();
  }
}

/** The phone row, or why it was skipped (not root, no cgroup v1 cpu controller). */
export async function phoneRow(work: string, file: string): Promise<PhoneResults | { skipped: string }> {
  const unavailable = await phoneUnavailable();
  return unavailable ? { skipped: `renderers are slowed with a cgroup: ${unavailable}` } : measurePhone(work, file);
}
