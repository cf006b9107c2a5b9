// Issue 17: an app on another origin uploads to Ferry with Uppy (@uppy/core + @uppy/tus), a
// bearer token and CORS, through a proxy that cuts every connection mid-upload. The file is exact.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import sirv from 'sirv';
import { build } from 'vite';
import { launchChromium, type ChromiumProfile } from '../build/testkit/chromium.js';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import { forkFerry, type FerryProcess } from '../build/testkit/ferry.js';
import { sha256, storedSha } from '../build/testkit/server-view.js';
import { listenLocally } from '../build/testkit/sockets.js';

let work: string;
let site: Server;
let siteUrl: string;
let ferry: FerryProcess;
let proxy: FaultProxy;
let browser: ChromiumProfile;

test.beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'ferry-uppy-'));
  // The other site: Uppy bundled by Vite, served from its own origin.
  await build({ configFile: false, root: path.join(import.meta.dirname, 'uppy-page'), logLevel: 'warn', build: { outDir: path.join(work, 'site'), emptyOutDir: true } });
  const serve = sirv(path.join(work, 'site'));
  site = createServer((req, res) => serve(req, res));
  siteUrl = await listenLocally(site);
  ferry = await forkFerry({ env: { CORS_ORIGINS: siteUrl } });
  proxy = await new FaultProxy(ferry.port).listen();
  browser = await launchChromium();
});

test.afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await ferry?.close();
  site?.close();
  await rm(work, { recursive: true, force: true });
});

test('Uppy on another origin, with a token and CORS, through every connection cut: the file is exact', async () => {
  test.setTimeout(120_000);
  // The app's owner mints the token the other site uses (as in "Upload from elsewhere").
  const cookie = (await fetch(`${ferry.url}/files`)).headers.get('set-cookie')!.split(';', 1)[0]!;
  const { token } = (await (await fetch(`${ferry.url}/tokens`, { method: 'POST', headers: { cookie } })).json()) as { token: string };

  const bytes = randomBytes(12_000_000);
  const file = path.join(work, 'inspection-video.mp4');
  await writeFile(file, bytes);
  proxy.throttle(3_000_000);
  const page = browser.page;
  await page.goto(`${siteUrl}/?endpoint=${encodeURIComponent(`${proxy.url}/uploads/`)}&token=${token}`);
  await page.setInputFiles('#picker', file);

  // Cut every connection while the upload runs (at 3 MB/s the 12 MB take four seconds).
  for (let cut = 0; cut < 3; cut++) {
    await page.waitForTimeout(800);
    expect(await page.evaluate(() => (window as unknown as { uppyDone?: string }).uppyDone), 'still uploading at the cut').toBeUndefined();
    proxy.cutAll();
  }
  proxy.throttle(undefined);
  const uploadUrl = await page.waitForFunction(() => {
    const state = window as unknown as { uppyDone?: string; uppyError?: string };
    if (state.uppyError) throw new Error(state.uppyError);
    return state.uppyDone;
  }, undefined, { timeout: 90_000, polling: 100 }).then((handle) => handle.jsonValue());

  const id = String(uploadUrl).split('/').pop()!;
  const listed = (await (await fetch(`${ferry.url}/files`, { headers: { cookie } })).json()) as Array<{ id: string; name: string; sha256: string }>;
  expect(listed.find((entry) => entry.id === id)).toMatchObject({ name: 'inspection-video.mp4', sha256: sha256(bytes) });
  expect(await storedSha(ferry.url, cookie, id)).toBe(sha256(bytes));
});
