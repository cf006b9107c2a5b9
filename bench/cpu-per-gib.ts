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

export type Upload = 'ferry' | 'xhr' | 'tus';

/**
 * The three uploads of `file` on loopback, each watched by the Watch `watchFor` makes for it (given
 * its server's pid): one XHR to Ferry's server, Ferry's worker, tus-js-client to @tus/server.
 */
export async function uploadThree<W extends Watch>(work: string, file: string, watchFor: (upload: Upload, server: number | undefined) => W, digests = true): Promise<{ watches: Record<Upload, W>; seconds: Record<Upload, number> }> {
  const ferry = await forkFerry({ dataDir: path.join(work, 'cpu-ferry'), env: { LOG_LEVEL: 'warn' } });
  const tus = await forkTusServer(path.join(work, 'cpu-tus'));
  try {
    const watches = { xhr: watchFor('xhr', ferry.child.pid), ferry: watchFor('ferry', ferry.child.pid), tus: watchFor('tus', tus.child.pid) };
    const xhr = await timeXhr(ferry.url, file, watches.xhr);
    const worker = await timeWorker(ferry.url, file, watches.ferry, digests);
    const tusPage = await timeTusPage(tus.url, file, watches.tus);
    return { watches, seconds: { ferry: worker, xhr, tus: tusPage } };
  } finally {
    await ferry.stop();
    await tus.stop();
  }
}

/** `digests: false` prices the worker's integrity digests (an A/B, not a bench row). */
export async function measureCpu(work: string, file: string, bytes: number, { digests = true } = {}): Promise<CpuResults> {
  const { watches, seconds } = await uploadThree(work, file, (_upload, server) => metered({ server }), digests);
  return {
    ferry: perGiB(watches.ferry.use(), bytes),
    xhr: perGiB(watches.xhr.use(), bytes),
    tus: perGiB(watches.tus.use(), bytes),
    seconds,
  };
}
