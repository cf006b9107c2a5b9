// Many small files: a batch of photos picked at once, files per second until the server has
// acknowledged every one, for Ferry's worker (UPLOAD_TARGET=tus:…) and for tus-js-client in a
// page with the same concurrency, both to @tus/server; and the page's longest frame gap meanwhile.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { forkFerry } from '../testkit/ferry.js';
import { sha256OfFile } from '../testkit/server-view.js';
import { forkTusServer, tusSha256, tusUploads } from '../testkit/tus.js';
import type { Watch } from './app-session.js';
import { timeTusPage, timeWorker } from './peer.js';

/** Ferry's default "Parallel uploads", given to tus-js-client's page too. */
const PARALLEL = 3;

export interface BatchResults {
  files: number;
  fileBytes: number;
  ferrySeconds: number;
  tusSeconds: number;
  ferryLongestFrameGapMs: number;
  tusLongestFrameGapMs: number;
  /** Every file is in Ferry's destination store, byte for byte. */
  intact: boolean;
}

export async function measureBatch(work: string, count = 300, fileBytes = 200_000): Promise<BatchResults> {
  const dir = path.join(work, 'batch-files');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    files.push(path.join(dir, `photo-${String(i).padStart(3, '0')}.jpg`));
    await writeFile(files[i]!, randomBytes(fileBytes));
  }
  const tusForPage = await forkTusServer(path.join(work, 'batch-tus-page'));
  const tusForFerry = await forkTusServer(path.join(work, 'batch-tus-ferry'));
  const ferry = await forkFerry({ dataDir: path.join(work, 'batch-ferry'), env: { LOG_LEVEL: 'warn', UPLOAD_TARGET: `tus:${tusForFerry.url}/files/` } });
  try {
    let tusGap = 0;
    // Cross-origin, as Ferry's worker is to its tus server: the page comes from the other tus server. Same-origin,
    // tus-js-client skipped the preflight each PATCH to a new URL pays, and its batch took 11% less (docs/performance.md).
    const crossOriginPage = `${tusForFerry.url}/?endpoint=${encodeURIComponent(`${tusForPage.url}/files`)}`;
    const tusSeconds = await timeTusPage(crossOriginPage, files, frameGaps((gap) => (tusGap = gap)), PARALLEL);
    let ferryGap = 0;
    const ferrySeconds = await timeWorker(ferry.url, files, frameGaps((gap) => (ferryGap = gap)));
    const stored = await tusUploads(tusForFerry.dir);
    const storedShas = new Set(await Promise.all(stored.map((upload) => tusSha256(tusForFerry.dir, upload.id))));
    const sourceShas = await Promise.all(files.map(sha256OfFile));
    const intact = stored.length === count && sourceShas.every((sha) => storedShas.has(sha));
    return { files: count, fileBytes, ferrySeconds, tusSeconds, ferryLongestFrameGapMs: ferryGap, tusLongestFrameGapMs: tusGap, intact };
  } finally {
    await ferry.stop();
    await tusForPage.stop();
    await tusForFerry.stop();
  }
}

/** The longest gap between animation frames in the page while watched. */
function frameGaps(report: (longestMs: number) => void): Watch {
  return {
    begin: (page) => page.evaluate(() => {
      const state = window as unknown as { benchGap: number };
      state.benchGap = 0;
      let last = performance.now();
      const tick = (now: number) => {
        state.benchGap = Math.max(state.benchGap, now - last);
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }),
    end: async (page) => report(await page.evaluate(() => (window as unknown as { benchGap: number }).benchGap)),
  };
}
