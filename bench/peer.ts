// The same upload with the most used resumable stack (tus-js-client in the page,
// @tus/server with its file store) on the same disk, in the same kind of browser; and
// the same page and client against Ferry's tus endpoint.
import path from 'node:path';
import { launchChromium } from '../testkit/chromium.js';
import { forkFerry } from '../testkit/ferry.js';
import { forkTusServer } from '../testkit/tus.js';
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

/** Seconds from picking `file` in the tus page at `pageUrl` to tus-js-client's onSuccess. */
async function timeTusPage(pageUrl: string, file: string): Promise<number> {
  const browser = await launchChromium();
  try {
    await browser.page.goto(pageUrl);
    await settleDisk();
    const started = Date.now();
    await browser.page.setInputFiles('#picker', file);
    await browser.page.waitForFunction(() => {
      const state = window as unknown as { tusDone?: boolean; tusError?: string };
      if (state.tusError) throw new Error(state.tusError);
      return state.tusDone;
    }, undefined, { timeout: 30 * 60_000, polling: 100 });
    return (Date.now() - started) / 1000;
  } finally {
    await browser.close();
  }
}
