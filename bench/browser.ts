// The browser half of the benchmark: one file picked in the real app and
// uploaded by the service worker, against one plain XHR POST of the same file
// from the same page to the same server. Also the hand-over time.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, ensureChromium } from '../e2e/chromium.js';

export interface BrowserResults {
  /** Pick → the worker's acknowledgement that IndexedDB holds the file. */
  handoverSeconds: number;
  /** Pick → the upload's row on screen (the upload starts then, while the copy is stored). */
  firstRowSeconds: number;
  ferrySeconds: number;
  xhrSeconds: number;
  ferryMBps: number;
  xhrMBps: number;
  ratioVsXhr: number;
  /** Pick → done with integrity digests off. */
  noDigestSeconds: number;
  /** Throughput with digests on ÷ off (goal ≥ 0.9). */
  integrityRatio: number;
}

/** `plainCopy` holds the same bytes as `source` under another name, for the run with digests off. */
export async function measureBrowser(appUrl: string, source: string, plainCopy: string, bytes: number): Promise<BrowserResults> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: ensureChromium(), headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(appUrl);
    await page.waitForSelector('body[data-ready="true"]');

    // Baseline: a single XHR POST of the whole file, no resume.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'baseline-input';
      document.body.append(input);
    });
    await page.setInputFiles('#baseline-input', source);
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

    // Ferry: from picking the file to the server's 200 for the last byte.
    const started = Date.now();
    await page.setInputFiles('#picker', source);
    await page.waitForSelector('li.upload', { timeout: 120_000 });
    const firstRowSeconds = (Date.now() - started) / 1000;
    await page.waitForSelector('body[data-stored="1"]', { timeout: 120_000 });
    const handoverSeconds = (Date.now() - started) / 1000;
    await page.waitForSelector('li.upload[data-state="done"]', { timeout: 30 * 60_000 });
    const ferrySeconds = (Date.now() - started) / 1000;

    // The same upload with integrity digests off, to price them (a copy, so it is a new upload).
    await page.evaluate(() => navigator.serviceWorker.controller?.postMessage({ type: 'ferry:set-digests', value: false }));
    const plainStarted = Date.now();
    await page.setInputFiles('#picker', plainCopy);
    const copyName = path.basename(plainCopy);
    await page.locator('li.upload', { has: page.locator('.name', { hasText: copyName }) })
      .and(page.locator('[data-state="done"]')).waitFor({ timeout: 30 * 60_000 });
    const noDigestSeconds = (Date.now() - plainStarted) / 1000;
    await page.evaluate(() => navigator.serviceWorker.controller?.postMessage({ type: 'ferry:set-digests', value: true }));

    const mbps = (seconds: number) => bytes / 1e6 / seconds;
    return { noDigestSeconds, integrityRatio: noDigestSeconds / ferrySeconds, handoverSeconds, firstRowSeconds, ferrySeconds, xhrSeconds, ferryMBps: mbps(ferrySeconds), xhrMBps: mbps(xhrSeconds), ratioVsXhr: xhrSeconds / ferrySeconds };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
