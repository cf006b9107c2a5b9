// CPU per GiB on loopback for the three uploads of the link rows: Ferry's worker with digests
// (browser + Ferry's server), one XHR POST to Ferry's server, and tus-js-client to @tus/server.
import path from 'node:path';
import { forkFerry } from '../testkit/ferry.js';
import { forkTusServer } from '../testkit/tus.js';
import type { Watch } from './app-session.js';
import { CpuMeter, perGiB, type CpuUse } from './cpu.js';
import { timeXhr } from './links.js';
import { timeTusPage, timeWorker } from './peer.js';

export interface CpuResults {
  ferry: CpuUse;
  xhr: CpuUse;
  tus: CpuUse;
  seconds: { ferry: number; xhr: number; tus: number };
}

/** A Watch that meters CPU over the timed part and keeps what it measured. */
export function metered(servers: Record<string, number | undefined>, daemons = false): Watch & { use: () => CpuUse } {
  const meter = new CpuMeter(servers, daemons);
  let use: CpuUse | undefined;
  return {
    begin: () => meter.start(),
    end: async () => (use = await meter.stop()),
    use: () => use!,
  };
}

/** `digests: false` prices the worker's integrity digests (an A/B, not a bench row). */
export async function measureCpu(work: string, file: string, bytes: number, { digests = true } = {}): Promise<CpuResults> {
  const ferry = await forkFerry({ dataDir: path.join(work, 'cpu-ferry'), env: { LOG_LEVEL: 'warn' } });
  const tus = await forkTusServer(path.join(work, 'cpu-tus'));
  try {
    const xhrWatch = metered({ server: ferry.child.pid });
    const xhr = await timeXhr(ferry.url, file, xhrWatch);
    const ferryWatch = metered({ server: ferry.child.pid });
    const worker = await timeWorker(ferry.url, file, ferryWatch, digests);
    const tusWatch = metered({ server: tus.child.pid });
    const tusPage = await timeTusPage(tus.url, file, tusWatch);
    return {
      ferry: perGiB(ferryWatch.use(), bytes),
      xhr: perGiB(xhrWatch.use(), bytes),
      tus: perGiB(tusWatch.use(), bytes),
      seconds: { ferry: worker, xhr, tus: tusPage },
    };
  } finally {
    await ferry.stop();
    await tus.stop();
  }
}

