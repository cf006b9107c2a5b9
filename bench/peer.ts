// The same upload with the most used resumable stack (tus-js-client in the page,
// @tus/server with its file store) on the same disk, in the same kind of browser.
import path from 'node:path';
import { launchChromium } from '../testkit/chromium.js';
import { forkServer } from '../testkit/processes.js';
import { settleDisk } from './processes.js';

/** Seconds from picking `file` in the tus page to tus-js-client's onSuccess. */
export async function measureTus(work: string, file: string): Promise<number> {
  const server = await forkServer(path.join(import.meta.dirname, 'tus-server.js'), { env: { TUS_DIR: path.join(work, 'tus-files') } });
  const browser = await launchChromium();
  try {
    await browser.page.goto(server.url);
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
    await server.stop();
  }
}
