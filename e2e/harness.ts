// The Chromium end-to-end setup: a Rig (server, fault proxy) and Chromium with a persistent
// profile on the proxy's origin, with helpers to look at all three.
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { launchChromium } from '../build/testkit/chromium.js';
import { forkFerry } from '../build/testkit/ferry.js';
import type { Logs } from '../build/testkit/processes.js';
import { ownerCookie } from '../build/testkit/server-view.js';
import { Evidence } from './evidence.ts';
import { freshForEachTest, Rig, type Backend, type SourceFile } from './rig.ts';

export { MB, settled, type Backend, type SourceFile } from './rig.ts';

/** Give each test of the file its own server, proxy and browser. */
export function useHarness(): () => Harness {
  return freshForEachTest(() => Harness.start());
}

export class Harness extends Rig {
  page!: Page;
  private constructor(
    served: Awaited<ReturnType<typeof Rig.serve>>,
    readonly context: BrowserContext,
    private readonly closeBrowser: () => Promise<void>,
    private readonly evidence: Evidence,
  ) {
    super(served.ferry, served.proxy, served.filesDir);
  }

  /** Ferry (its request log kept as evidence), or `backend`, behind a fault proxy, and Chromium (its consoles kept). */
  static async start(env: Record<string, string> = {}, backend?: (logs: Logs) => Promise<Backend>): Promise<Harness> {
    const evidence = new Evidence();
    const logs = evidence.sink('server');
    const served = await Rig.serve(backend ? () => backend(logs) : () => forkFerry({ env: { LOG_LEVEL: 'info', ...env }, logs }));
    const browser = await launchChromium();
    browser.context.on('console', (message) => evidence.add(message.worker() ? 'worker' : 'page', `${message.type()}: ${message.text()}`));
    browser.context.on('weberror', (error) => evidence.add('page', `uncaught: ${error.error().message}`));
    const harness = new Harness(served, browser.context, browser.close, evidence);
    harness.page = browser.page;
    return harness;
  }

  /** Open the app and wait until it has its worker and its snapshot. */
  async open(page: Page = this.page): Promise<Page> {
    await page.goto(this.url);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    return page;
  }

  /**
   * Reload the app with the network emulated offline; `online()` brings it back. Chromium 150 keeps a reloaded
   * document's navigator.onLine true under Playwright's emulation (156 carries the offline state over), so a CDP
   * session of the page's own says offline again, and stays until `online()` (docs/browsers.md).
   */
  async reloadOffline(page: Page = this.page): Promise<{ online(): Promise<void> }> {
    await this.context.setOffline(true);
    await page.reload();
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await page.evaluate(() => navigator.onLine), 'the reloaded page hears it is offline').toBe(false);
    return {
      online: async () => {
        await cdp.detach();
        await this.context.setOffline(false);
      },
    };
  }

  async pick(files: SourceFile[], page: Page = this.page): Promise<void> {
    await page.setInputFiles('#picker', files.map((file) => file.path));
  }

  row(name: string, page: Page = this.page): Locator {
    return page.locator('li.upload', { has: page.locator('.name', { hasText: name }) });
  }

  async idOf(name: string, page: Page = this.page): Promise<string> {
    return (await this.row(name, page).getAttribute('data-id'))!;
  }

  async expectDone(file: SourceFile, timeout = 60_000, page: Page = this.page): Promise<void> {
    await expect(this.row(file.name, page)).toHaveAttribute('data-state', 'done', { timeout });
    expect(await this.storedShaOf(await this.idOf(file.name, page))).toBe(file.sha256);
  }

  /** Stop every service worker of the profile through CDP (Playwright would otherwise keep it alive). */
  async stopWorkers(page: Page): Promise<void> {
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
  }

  cookie(): Promise<string> {
    return ownerCookie(this.context, this.url);
  }

  async close(): Promise<void> {
    await this.evidence.attach(async () => (this.page.isClosed() ? undefined : this.page.screenshot({ timeout: 2000 })));
    await this.closeBrowser();
    await this.closeRig();
  }
}
