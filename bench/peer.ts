// The same upload with the most used resumable stack (tus-js-client in the page,
// @tus/server with its file store) on the same disk, in the same kind of browser; and
// the same page and client against Ferry's tus endpoint; and Ferry's worker uploading to
// @tus/server (UPLOAD_TARGET=tus:…) against that page.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium } from '../testkit/chromium.js';
import { FaultProxy } from '../testkit/fault-proxy.js';
import { forkFerry } from '../testkit/ferry.js';
import { sha256OfFile } from '../testkit/server-view.js';
import { forkTusServer, tusSha256, tusUploads } from '../testkit/tus.js';
import { AppSession, unwatched, type Watch } from './app-session.js';
import { settleDisk } from './processes.js';

export interface PeerResults {
  /** tus-js-client in a page → @tus/server. */
  tusServerSeconds: number;
  /** The same page and client → Ferry's /uploads/ (tus 1.0, from another origin, with a bearer token). */
  ferrySeconds: number;
}

/** The same file with the same tus-js-client page, to @tus/server and then to Ferry. */
export async function measureTus(work: string, file: string): Promise<PeerResults> {
  const server = await forkTusServer(path.join(work, 'tus-files'));
  const ferry = await forkFerry({ dataDir: path.join(work, 'tus-to-ferry'), env: { LOG_LEVEL: 'warn', CORS_ORIGINS: server.url } });
  try {
    const tusServerSeconds = await timeTusPage(server.url, file);
    const { token } = await mintToken(ferry.url);
    const ferrySeconds = await timeTusPage(`${server.url}/?endpoint=${encodeURIComponent(`${ferry.url}/uploads/`)}&token=${token}`, file);
    return { tusServerSeconds, ferrySeconds };
  } finally {
    await ferry.stop();
    await server.stop();
  }
}

/** A token for a fresh owner of Ferry, as the app's "Upload from elsewhere" mints one. */
async function mintToken(url: string): Promise<{ token: string }> {
  const cookie = (await fetch(`${url}/files`)).headers.get('set-cookie')!.split(';', 1)[0]!;
  return (await (await fetch(`${url}/tokens`, { method: 'POST', headers: { cookie } })).json()) as { token: string };
}

export interface WorkerToTusResults {
  /** Ferry's app with UPLOAD_TARGET=tus:… → @tus/server, pick → done. */
  ferrySeconds: number;
  /** tus-js-client in a page → the same @tus/server, pick → onSuccess. */
  tusSeconds: number;
  /** Ferry's upload is byte-exact in the tus store. */
  intact: boolean;
}

/**
 * Ferry's worker uploading to @tus/server, against tus-js-client in a page uploading to the same
 * server, the same file: on loopback, or through the fault proxy at `bytesPerSecond`.
 */
export async function measureWorkerToTus(work: string, file: string, bytesPerSecond?: number): Promise<WorkerToTusResults> {
  const dir = path.join(work, `tus-target-${bytesPerSecond ?? 'loopback'}`);
  const tus = await forkTusServer(dir);
  const proxy = bytesPerSecond === undefined ? undefined : await new FaultProxy(tus.port).listen();
  proxy?.throttle(bytesPerSecond);
  const tusUrl = proxy?.url ?? tus.url;
  const ferry = await forkFerry({ dataDir: path.join(work, `ferry-to-tus-${bytesPerSecond ?? 'loopback'}`), env: { LOG_LEVEL: 'warn', UPLOAD_TARGET: `tus:${tusUrl}/files/` } });
  try {
    const tusSeconds = await timeTusPage(tusUrl, file);
    for (const upload of await tusUploads(dir)) await Promise.all([rm(path.join(dir, upload.id)), rm(path.join(dir, `${upload.id}.json`))]);
    const ferrySeconds = await timeWorker(ferry.url, file);
    const uploads = await tusUploads(dir);
    const intact = uploads.length === 1 && (await tusSha256(dir, uploads[0]!.id)) === (await sha256OfFile(file));
    return { ferrySeconds, tusSeconds, intact };
  } finally {
    await ferry.stop();
    await proxy?.close();
    await tus.stop();
  }
}

/** Seconds from picking `files` in Ferry's app at `appUrl` (a fresh profile) to every row reading done. */
export async function timeWorker(appUrl: string, files: string | string[], watch: Watch = unwatched, digests = true): Promise<number> {
  const app = await AppSession.open(appUrl);
  try {
    if (!digests) await app.setDigests(false);
    await settleDisk();
    await watch.begin(app.page);
    const started = Date.now();
    await app.pick(files);
    const doneAt = await app.waitForAllDone([files].flat().length);
    const seconds = (doneAt - started) / 1000;
    await watch.end(app.page);
    return seconds;
  } finally {
    await app.close();
  }
}

/** Seconds from picking `files` in the tus page at `pageUrl` to tus-js-client's onSuccess for each (`parallel` at a time). */
export async function timeTusPage(pageUrl: string, files: string | string[], watch: Watch = unwatched, parallel = 1): Promise<number> {
  const browser = await launchChromium();
  try {
    await browser.page.goto(`${pageUrl}${pageUrl.includes('?') ? '&' : '?'}parallel=${parallel}`);
    await settleDisk();
    await watch.begin(browser.page);
    const started = Date.now();
    await browser.page.setInputFiles('#picker', files);
    // Timed by the page's own clock when the last upload succeeded, not when a poll noticed it.
    const doneAt = await browser.page.waitForFunction(() => {
      const state = window as unknown as { tusDoneAt?: number; tusError?: string };
      if (state.tusError) throw new Error(state.tusError);
      return state.tusDoneAt;
    }, undefined, { timeout: 30 * 60_000, polling: 100 });
    const seconds = ((await doneAt.jsonValue())! - started) / 1000;
    await watch.end(browser.page);
    return seconds;
  } finally {
    await browser.close();
  }
}
