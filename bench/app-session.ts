// One Chromium with a persistent profile (docs/design.md §3.5: incognito IndexedDB lies) on
// the real app, and what the bench needs to watch it: rows, and the server's view.
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { launchChromium } from '../testkit/chromium.js';
import { ownerCookie, progressOf, sha256OfFile, storedSha } from '../testkit/server-view.js';

export const MiB = 1024 * 1024;

/** Something measured over exactly the timed part of a run (from just before the pick to the last acknowledgement). */
export interface Watch {
  begin(page: Page): Promise<unknown>;
  end(page: Page): Promise<unknown>;
}

export const unwatched: Watch = { begin: async () => undefined, end: async () => undefined };

/**
 * Runs in the app's page: stamps, by the page's clock, when each row (by name) first shows each state.
 * Timings end there, when a person would see it, not when one of Playwright's polls (up to ~0.3 s
 * later) notices it, while the XHR and tus-js-client baselines end at their own callbacks.
 */
function stampStates(): void {
  const page = window as unknown as { ferryStateAt?: Record<string, number> };
  if (page.ferryStateAt) return;
  const seen: Record<string, number> = (page.ferryStateAt = {});
  const stampRow = (node: Node) => {
    const row = node as HTMLElement;
    if (row.matches?.('li.upload[data-state]')) seen[`${row.querySelector('.name')?.textContent}\n${row.dataset.state}`] ??= Date.now();
  };
  // Only the rows a mutation touched: reading every row on each change cost the page 0.4-0.7 s of
  // main thread in the 300-photo batch, work the tus-js-client page it is compared with never does.
  const stamp = (mutations: MutationRecord[]) => {
    for (const mutation of mutations) {
      if (mutation.type === 'attributes') stampRow(mutation.target);
      else mutation.addedNodes.forEach(stampRow);
    }
  };
  // The rows live in <ferry-uploads>'s shadow root, which a document observer does not see.
  const root = document.querySelector('ferry-uploads')?.shadowRoot ?? document.body;
  root.querySelectorAll('li.upload[data-state]').forEach(stampRow);
  new MutationObserver(stamp).observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}

export class AppSession {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    /** The server itself, for looking at it without going through a fault proxy. */
    private readonly serverUrl: string,
    private readonly closeProfile: () => Promise<void>,
  ) {}

  /** Open the app at `appUrl` (the server, or a proxy in front of it) and wait for its worker. */
  static async open(appUrl: string, serverUrl = appUrl): Promise<AppSession> {
    const { context, page, close } = await launchChromium();
    await page.goto(appUrl);
    await page.waitForSelector('body[data-ready="true"]');
    await page.evaluate(stampStates);
    return new AppSession(context, page, serverUrl, close);
  }

  /** Integrity digests on or off in the worker (a bench-only switch, to price them). */
  async setDigests(on: boolean): Promise<void> {
    await this.page.evaluate((value) => navigator.serviceWorker.controller?.postMessage({ type: 'ferry:set-digests', value }), on);
  }

  async pick(files: string | string[]): Promise<void> {
    await this.page.setInputFiles('#picker', files);
  }

  row(name: string): Locator {
    return this.page.locator('li.upload', { has: this.page.locator('.name', { hasText: name }) });
  }

  /** Wait until the row shows `state`; returns when the page showed it (epoch ms; now, if the page was reloaded since). */
  async waitForState(name: string, state: string, timeoutMs = 30 * 60_000): Promise<number> {
    // Attached, not visible: a finished row hides once the server's list shows the file.
    await this.row(name).and(this.page.locator(`[data-state="${state}"]`)).waitFor({ state: 'attached', timeout: timeoutMs });
    const shownAt = await this.page.evaluate((key) => (window as unknown as { ferryStateAt?: Record<string, number> }).ferryStateAt?.[key], `${name}\n${state}`);
    return shownAt ?? Date.now();
  }

  /**
   * Until `count` rows read done (finished rows stay attached, if hidden, once the server lists them);
   * returns when the page showed the last of them (epoch ms).
   */
  async waitForAllDone(count: number, timeoutMs = 30 * 60_000): Promise<number> {
    await this.page.waitForFunction((n) => (document.querySelector('ferry-uploads')?.shadowRoot ?? document).querySelectorAll('li.upload[data-state="done"]').length >= n, count, { polling: 100, timeout: timeoutMs });
    const stamps = await this.page.evaluate(() => Object.entries((window as unknown as { ferryStateAt?: Record<string, number> }).ferryStateAt ?? {})
      .filter(([key]) => key.endsWith('\ndone')).map(([, at]) => at));
    return stamps.length >= count ? Math.max(...stamps) : Date.now();
  }

  async idOf(name: string): Promise<string> {
    await this.row(name).waitFor({ state: 'attached' });
    return (await this.row(name).getAttribute('data-id'))!;
  }

  private cookie(): Promise<string> {
    return ownerCookie(this.context, this.page.url());
  }

  /**
   * Wait until the worker's IndexedDB holds its own copy of the File `id` (the hand-over's end), by
   * asking the worker: its read of the store waits for a write to it that is still committing.
   */
  async waitUntilKeptInBrowser(id: string): Promise<void> {
    await this.page.waitForFunction((key) => new Promise<boolean>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event: MessageEvent) => resolve(event.data instanceof Blob);
      navigator.serviceWorker.controller!.postMessage({ type: 'ferry:stored-file', id: key }, [channel.port2]);
    }), id, { polling: 20, timeout: 120_000 });
  }

  /** A function that reads the bytes the server has received for `id` (verified or not yet), as this browser's owner. */
  async receivedReader(id: string): Promise<() => Promise<number>> {
    const cookie = await this.cookie();
    return async () => (await progressOf(this.serverUrl, cookie, id)).received;
  }

  /** Whether the server's stored file has the same SHA-256 as `source`. */
  async storedMatches(id: string, source: string): Promise<boolean> {
    const stored = await storedSha(this.serverUrl, await this.cookie(), id).catch(() => undefined);
    return stored === (await sha256OfFile(source));
  }

  close(): Promise<void> {
    return this.closeProfile();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
