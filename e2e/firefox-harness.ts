// The Firefox end-to-end setup: a Rig (server, fault proxy) and Debian's Firefox ESR on a profile
// kept on disk, driven with puppeteer-core over WebDriver BiDi (testkit/firefox.ts says why not Playwright).
import { expect } from '@playwright/test';
import type { ElementHandle, Page } from 'puppeteer-core';
import { forkFerry } from '../build/testkit/ferry.js';
import { FirefoxProfile } from '../build/testkit/firefox.js';
import { ownerCookieOf } from '../build/testkit/server-view.js';
import { Evidence } from './evidence.ts';
import { freshForEachTest, Rig, type SourceFile } from './rig.ts';

/** What a person sees of one row. */
export interface RowSeen {
  id: string;
  state: string;
  message: string;
  /** The actions its buttons offer (pause, resume, cancel, undo, retry, remove). */
  actions: string[];
}

/** Give each test of the file its own server, proxy and Firefox. */
export function useFirefox(): () => FirefoxHarness {
  return freshForEachTest(() => FirefoxHarness.start());
}

export class FirefoxHarness extends Rig {
  private lastCookie: string | undefined;

  private constructor(
    served: Awaited<ReturnType<typeof Rig.serve>>,
    readonly profile: FirefoxProfile,
    private readonly evidence: Evidence,
  ) {
    super(served.ferry, served.proxy, served.filesDir);
    const watch = (page: Page) => {
      page.on('console', (message) => evidence.add('page', `${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => evidence.add('page', `uncaught: ${(error as Error).message}`));
    };
    profile.onPage = watch;
    // The only way to the service worker's console (pages' lines come here too, besides `watch`).
    profile.onConsole = (line) => evidence.add('firefox', line);
    watch(profile.page);
  }

  /** Ferry (its request log kept as evidence) behind a fault proxy, and Firefox on a profile of its own (its page console kept). */
  static async start(): Promise<FirefoxHarness> {
    const evidence = new Evidence();
    const served = await Rig.serve(() => forkFerry({ env: { LOG_LEVEL: 'info' }, logs: evidence.sink('server') }));
    return new FirefoxHarness(served, await FirefoxProfile.create(), evidence);
  }

  /** The first tab of the running Firefox. */
  get page(): Page {
    return this.profile.page;
  }

  async open(): Promise<Page> {
    await this.page.goto(this.url);
    await this.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return this.page;
  }

  async pick(files: SourceFile[]): Promise<void> {
    const input = (await this.page.waitForSelector('ferry-uploads >>> #picker')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(...files.map((file) => file.path));
  }

  /** The row named `name` as it reads now, or undefined when there is none. */
  rowOf(name: string): Promise<RowSeen | undefined> {
    return this.page.evaluate((wanted) => {
      const row = [...(document.querySelector('ferry-uploads')?.shadowRoot ?? document).querySelectorAll<HTMLElement>('li.upload')].find((item) => item.querySelector('.name')?.textContent === wanted);
      if (!row) return undefined;
      const actions = [...row.querySelectorAll<HTMLElement>('button[data-action]')].map((button) => button.dataset.action!);
      return { id: row.dataset.id!, state: row.dataset.state!, message: row.querySelector('.message')?.textContent ?? '', actions };
    }, name);
  }

  async idOf(name: string): Promise<string> {
    let id: string | undefined;
    await expect.poll(async () => (id = (await this.rowOf(name))?.id)).toBeDefined();
    return id!;
  }

  /** Wait until the row named `name` is in `state`. */
  async expectState(name: string, state: string, timeout = 30_000): Promise<void> {
    await expect.poll(async () => (await this.rowOf(name))?.state, { timeout }).toBe(state);
  }

  /** The row done, and the server's copy the picked file byte for byte. */
  async expectDone(file: SourceFile, timeout = 60_000): Promise<void> {
    await this.expectState(file.name, 'done', timeout);
    expect(await this.storedShaOf(await this.idOf(file.name))).toBe(file.sha256);
  }

  /** Click a row's button, as a person would (a real click through the browser's input). */
  async press(name: string, action: string): Promise<void> {
    await expect.poll(async () => (await this.rowOf(name))?.actions ?? []).toContain(action);
    const button = await this.page.evaluateHandle((wanted, act) => {
      const row = [...(document.querySelector('ferry-uploads')?.shadowRoot ?? document).querySelectorAll('li.upload')].find((item) => item.querySelector('.name')?.textContent === wanted);
      return row?.querySelector<HTMLButtonElement>(`button[data-action="${act}"]`) ?? null;
    }, name, action);
    await (button as ElementHandle<HTMLButtonElement>).click();
  }

  /** The sentences in the page's notice list. */
  notices(): Promise<string[]> {
    return this.page.$$eval('ferry-uploads >>> #notices li', (items) => items.map((item) => item.firstChild?.textContent ?? ''));
  }

  /**
   * The network gone and back: the page told it is offline (Firefox applies the emulation to pages
   * only, its service worker still reaches the network) and the link itself down at the proxy.
   */
  async setOffline(offline: boolean): Promise<void> {
    this.proxy.setDown(offline);
    await this.page.setOfflineMode(offline);
  }

  /** The owner cookie; while Firefox is closed, the one it held last (it is kept in the profile). */
  async cookie(): Promise<string> {
    if (this.profile.browser.connected) this.lastCookie = ownerCookieOf(await this.profile.browser.cookies());
    if (!this.lastCookie) throw new Error('Firefox is closed and never held an owner cookie');
    return this.lastCookie;
  }

  async close(): Promise<void> {
    await this.evidence.attach(async () => (this.profile.browser.connected ? this.page.screenshot() : undefined));
    await this.profile.close();
    await this.closeRig();
  }
}
