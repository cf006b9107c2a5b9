// Throughput in the browser: one file picked in the real app and uploaded by the
// service worker, against one plain XHR POST of the same file from the same page
// to the same server. Also the hand-over time, the price of integrity digests and
// the memory of every Chromium process during each.
import path from 'node:path';
import { pickInOwnInput } from '../testkit/chromium.js';
import { AppSession } from './app-session.js';
import { BrowserRssSampler, settleDisk } from './processes.js';

export interface BrowserResults {
  /** Pick → the worker's acknowledgement that IndexedDB holds the file. */
  handoverSeconds: number;
  /** The same File put into IndexedDB from the page with nothing else running: what the hand-over cannot beat. */
  idbCopySeconds: number;
  /** Pick → the upload's row on screen (the upload starts then, while the copy is stored). */
  firstRowSeconds: number;
  ferrySeconds: number;
  xhrSeconds: number;
  /** Pick → done with integrity digests off. */
  noDigestSeconds: number;
  xhrPeakRssMB: number;
  ferryPeakRssMB: number;
}

/** `plainCopy` holds the same bytes as `source` under another name, for the run with digests off. */
export async function measureBrowser(appUrl: string, source: string, plainCopy: string): Promise<BrowserResults> {
  const app = await AppSession.open(appUrl);
  const { page } = app;
  const rss = new BrowserRssSampler();
  try {
    // Baseline: a single XHR POST of the whole file, no resume.
    await pickInOwnInput(page, 'baseline-input', source);
    await settleDisk();
    rss.start();
    const xhrSeconds = await page.evaluate(() => new Promise<number>((resolve, reject) => {
      const file = (document.querySelector('#baseline-input') as HTMLInputElement).files![0]!;
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/upload');
      xhr.setRequestHeader('X-File-Id', 'xhr-baseline');
      xhr.setRequestHeader('X-File-Size', String(file.size));
      const started = performance.now();
      xhr.onload = () => (xhr.status === 200 ? resolve((performance.now() - started) / 1000) : reject(new Error(`XHR ${xhr.status}`)));
      xhr.onerror = () => reject(new Error('XHR failed'));
      xhr.send(file);
    }));
    const xhrPeakRssMB = await rss.stop();

    // The floor under the hand-over: Chromium storing the same File in IndexedDB from the page, nothing else running.
    await settleDisk();
    const idbCopySeconds = await page.evaluate(() => new Promise<number>((resolve, reject) => {
      const file = (document.querySelector('#baseline-input') as HTMLInputElement).files![0]!;
      const opening = indexedDB.open('bench-copy-baseline', 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore('files');
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const db = opening.result;
        const started = performance.now();
        const tx = db.transaction('files', 'readwrite');
        tx.objectStore('files').put(file, 'copy');
        tx.oncomplete = () => {
          const seconds = (performance.now() - started) / 1000;
          db.close();
          indexedDB.deleteDatabase('bench-copy-baseline').onsuccess = () => resolve(seconds);
        };
        tx.onerror = () => reject(tx.error);
      };
    }));

    // Ferry: from picking the file to the server's 200 for the last byte.
    await settleDisk();
    rss.start();
    const started = Date.now();
    await app.pick(source);
    await page.waitForSelector('li.upload', { timeout: 120_000 });
    const firstRowSeconds = (Date.now() - started) / 1000;
    await app.waitUntilKeptInBrowser(await app.idOf(path.basename(source)));
    const handoverSeconds = (Date.now() - started) / 1000;
    const ferrySeconds = ((await app.waitForState(path.basename(source), 'done')) - started) / 1000;
    const ferryPeakRssMB = await rss.stop();

    // The same upload with integrity digests off, to price them (a copy, so it is a new upload).
    await app.setDigests(false);
    await settleDisk();
    const plainStarted = Date.now();
    await app.pick(plainCopy);
    const noDigestSeconds = ((await app.waitForState(path.basename(plainCopy), 'done')) - plainStarted) / 1000;
    await app.setDigests(true);

    return { handoverSeconds, idbCopySeconds, firstRowSeconds, ferrySeconds, xhrSeconds, noDigestSeconds, xhrPeakRssMB, ferryPeakRssMB };
  } finally {
    await rss.stop();
    await app.close();
  }
}
