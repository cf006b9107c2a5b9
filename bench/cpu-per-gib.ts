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
 * its server's pid): one XHR to Ferry's server, Ferry's worker, tus-js-client to @tus/server; in the
 * reverse order when `reversed`, so that alternated rounds share out what one upload leaves the next
 * (this VM's freed memory, the page cache, docs/performance.md).
 */
export async function uploadThree<W extends Watch>(work: string, file: string, watchFor: (upload: Upload, server: number | undefined) => W, digests = true, reversed = false): Promise<{ watches: Record<Upload, W>; seconds: Record<Upload, number> }> {
  const ferry = await forkFerry({ dataDir: path.join(work, 'cpu-ferry'), env: { LOG_LEVEL: 'warn' } });
  const tus = await forkTusServer(path.join(work, 'cpu-tus'));
  try {
    const watches = { xhr: watchFor('xhr', ferry.child.pid), ferry: watchFor('ferry', ferry.child.pid), tus: watchFor('tus', tus.child.pid) };
    const runs: Record<Upload, () => Promise<number>> = {
      xhr: () => timeXhr(ferry.url, file, watches.xhr),
      ferry: () => timeWorker(ferry.url, file, watches.ferry, digests),
      tus: () => timeTusPage(tus.url, file, watches.tus),
    };
    const seconds: Record<Upload, number> = { ferry: 0, xhr: 0, tus: 0 };
    const order: Upload[] = reversed ? ['tus', 'ferry', 'xhr'] : ['xhr', 'ferry', 'tus'];
    for (const upload of order) seconds[upload] = await runs[upload]();
    return { watches, seconds };
  } finally {
    await ferry.stop();
    await tus.stop();
  }
}

/**
 * `rounds` rounds of the three uploads, in alternate orders, averaged; `ratios` is Ferry ÷ tus-js-client
 * in each round. `digests: false` prices the worker's integrity digests (an A/B, not a bench row).
 */
export async function measureCpu(work: string, file: string, bytes: number, { digests = true, rounds = 1 } = {}): Promise<CpuResults & { ratios: number[] }> {
  const each: CpuResults[] = [];
  for (let round = 0; round < rounds; round++) {
    const { watches, seconds } = await uploadThree(work, file, (_upload, server) => metered({ server }), digests, round % 2 === 1);
    each.push({ ...forEach((upload) => perGiB(watches[upload].use(), bytes)), seconds });
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const averaged = (upload: Upload): CpuUse => ({
    seconds: mean(each.map((result) => result[upload].seconds)),
    byKind: Object.fromEntries(Object.keys(each[0]![upload].byKind).map((kind) => [kind, mean(each.map((result) => result[upload].byKind[kind] ?? 0))])),
  });
  return {
    ...forEach(averaged),
    seconds: forEach((upload) => mean(each.map((result) => result.seconds[upload]))),
    ratios: each.map((result) => result.ferry.seconds / result.tus.seconds),
  };
}

/** `make` for each of the three uploads. */
function forEach<T>(make: (upload: Upload) => T): Record<Upload, T> {
  return { ferry: make('ferry'), xhr: make('xhr'), tus: make('tus') };
}
