// An upload longer than the 5-minute limit Chromium puts on a worker event
// (docs/design.md §3.8), with a page open: the leases and the page's heartbeat must carry it.
// Driven over plain CDP so nothing but Ferry keeps the worker alive.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CdpBrowser } from '../build/testkit/cdp-pipe.js';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import { forkFerry } from '../build/testkit/ferry.js';
import { ownerCookieOf, progressOf, sha256, storedSha } from '../build/testkit/server-view.js';

const RATE = 50_000; // bytes/s through the proxy
const SECONDS = 390; // six and a half minutes of transfer
// Set FERRY_NO_HEARTBEAT=1 to check that this test can fail: the page's heartbeat is then blocked.
const withoutHeartbeat = process.env.FERRY_NO_HEARTBEAT === '1';

test(`an upload of over 6 minutes with a page open completes without a stall${withoutHeartbeat ? ' (heartbeat blocked: must fail)' : ''}`, async () => {
  test.setTimeout(11 * 60_000);
  const ferry = await forkFerry();
  const proxy = await new FaultProxy(ferry.port).listen();
  const browser = await CdpBrowser.launch();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-long-'));
  try {
    const bytes = randomBytes(RATE * SECONDS);
    const file = path.join(dir, 'long-shift.mp4');
    await writeFile(file, bytes);
    proxy.throttle(RATE);

    const page = await browser.openPage(proxy.url);
    await browser.send('Page.enable', {}, page);
    if (withoutHeartbeat) {
      await browser.send('Page.addScriptToEvaluateOnNewDocument', {
        source: `{ const post = ServiceWorker.prototype.postMessage;
          ServiceWorker.prototype.postMessage = function (data, ...rest) { if (data?.type !== 'ferry:heartbeat') post.call(this, data, ...rest); }; }`,
      }, page);
      await browser.send('Page.reload', {}, page);
    }
    // While the page is still navigating it has no execution context yet ("Cannot find default execution context").
    await expect.poll(() => browser.evaluate(page, `document.body?.dataset.ready === 'true'`).catch(() => false), { timeout: 30_000 }).toBe(true);
    await browser.setInputFile(page, '#picker', file);
    await expect.poll(() => browser.evaluate(page, `(document.querySelector("ferry-uploads")?.shadowRoot ?? document).querySelectorAll('li.upload').length`)).toBe(1);
    const id = await browser.evaluate<string>(page, `(document.querySelector("ferry-uploads")?.shadowRoot ?? document).querySelector('li.upload').dataset.id`);
    const cookie = ownerCookieOf((await browser.send<{ cookies: Array<{ name: string; value: string }> }>('Storage.getCookies')).cookies);
    // Bytes that reached the server, counted or still awaiting their chunk's digest check.
    const held = async () => (await progressOf(ferry.url, cookie, id)).received;

    // The server's offset must keep moving, never standing still for long, until the end.
    const started = Date.now();
    let last = 0;
    let lastMoveAt = Date.now();
    let longestStillMs = 0;
    while (last < bytes.length && Date.now() - started < 9 * 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const offset = await held();
      if (offset > last) {
        longestStillMs = Math.max(longestStillMs, Date.now() - lastMoveAt);
        last = offset;
        lastMoveAt = Date.now();
      } else {
        longestStillMs = Math.max(longestStillMs, Date.now() - lastMoveAt);
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    console.log(`long upload: ${last} of ${bytes.length} bytes in ${elapsed.toFixed(0)} s; longest stall ${(longestStillMs / 1000).toFixed(1)} s`);
    expect(elapsed, 'the upload really ran past the 5-minute event limit').toBeGreaterThan(330);
    expect(last).toBe(bytes.length);
    expect(longestStillMs, 'no stall').toBeLessThan(60_000);
    expect(await storedSha(ferry.url, cookie, id)).toBe(sha256(bytes));
  } finally {
    await browser.close();
    await proxy.close();
    await ferry.close();
    await rm(dir, { recursive: true, force: true });
  }
});
