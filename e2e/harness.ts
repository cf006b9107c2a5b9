// One end-to-end setup: server, fault proxy in front of it, Chromium with a
// persistent profile on the proxy's origin, and helpers to look at all three.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { launchChromium } from '../build/testkit/chromium.js';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import { forkFerry, type FerryProcess } from '../build/testkit/ferry.js';
import { ownerCookie, progressOf, sha256, storedSha } from '../build/testkit/server-view.js';

export const MB = 1_000_000;

/**
 * A value once it has stopped changing for a second (bytes in kernel buffers still drain after an
 * abort). Read `received`, not the held offset: a chunk's bytes count only when its digest is checked.
 */
export async function settled(read: () => Promise<number>): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await read();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Give each test of the file its own server, proxy and browser. */
export function useHarness(): () => Harness {
  let app: Harness | undefined;
  test.beforeEach(async () => {
    app = await Harness.start();
  });
  test.afterEach(async () => {
    await app?.close();
  });
  return () => app!;
}

export interface SourceFile {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** What the browser talks to: one Ferry process, or a whole cluster behind nginx. */
export type Backend = Pick<FerryProcess, 'url' | 'port' | 'close'> & { restart(): Promise<Backend>; reconfigure?(env: Record<string, string>): Promise<Backend> };

export class Harness {
  page!: Page;
  private constructor(
    public ferry: Backend,
    readonly proxy: FaultProxy,
    readonly context: BrowserContext,
    private readonly closeBrowser: () => Promise<void>,
    private readonly filesDir: string,
  ) {}

  static async start(env: Record<string, string> = {}, backend: () => Promise<Backend> = () => forkFerry({ env })): Promise<Harness> {
    const ferry = await backend();
    const proxy = await new FaultProxy(ferry.port).listen();
    const browser = await launchChromium();
    const harness = new Harness(ferry, proxy, browser.context, browser.close, await mkdtemp(path.join(os.tmpdir(), 'ferry-files-')));
    harness.page = browser.page;
    return harness;
  }

  get url(): string {
    return this.proxy.url;
  }

  /** Open the app and wait until it has its worker and its snapshot. */
  async open(page: Page = this.page): Promise<Page> {
    await page.goto(this.url);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    return page;
  }

  async makeFile(name: string, size: number): Promise<SourceFile> {
    const bytes = randomBytes(size);
    const file = path.join(this.filesDir, name);
    await writeFile(file, bytes);
    return { name, path: file, sha256: sha256(bytes), size };
  }

  /**
   * Open the app, pick a new file of `size` bytes through a link throttled to `rate`,
   * and return once the server holds more than `above` bytes: a real "mid-upload".
   */
  async uploadMidway(name: string, size: number, above = MB, rate = 2 * MB): Promise<{ file: SourceFile; held: number }> {
    await this.open();
    this.proxy.throttle(rate);
    const file = await this.makeFile(name, size);
    await this.pick([file]);
    return { file, held: await this.waitForServerOffset(name, above) };
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

  /** The bytes the server holds for the row's upload, asked as the browser's owner. */
  async serverOffset(name: string): Promise<number> {
    return this.serverOffsetOfId(await this.idOf(name));
  }

  cookie(): Promise<string> {
    return ownerCookie(this.context, this.url);
  }

  async serverOffsetOfId(id: string): Promise<number> {
    return (await this.serverStatus(id)).offset;
  }

  /** Bytes that have reached the server, counted or not yet verified: what must stop moving when uploads stop. */
  async serverReceived(name: string): Promise<number> {
    return (await this.serverStatus(await this.idOf(name))).received;
  }

  async serverReceivedOfId(id: string): Promise<number> {
    return (await this.serverStatus(id)).received;
  }

  private async serverStatus(id: string): Promise<{ offset: number; received: number }> {
    return progressOf(this.ferry.url, await this.cookie(), id);
  }

  /** Wait until more than `above` bytes of the named upload have reached the server (verified or not yet). */
  async waitForServerOffset(name: string, above: number, timeout = 30_000): Promise<number> {
    let received = 0;
    await expect.poll(async () => (received = await this.serverReceived(name)), { timeout, intervals: [100] }).toBeGreaterThan(above);
    return received;
  }

  async expectDone(file: SourceFile, timeout = 60_000, page: Page = this.page): Promise<void> {
    await expect(this.row(file.name, page)).toHaveAttribute('data-state', 'done', { timeout });
    const cookie = await ownerCookie(this.context, this.url);
    expect(await storedSha(this.ferry.url, cookie, await this.idOf(file.name, page))).toBe(file.sha256);
  }

  /** Stop every service worker of the profile through CDP (Playwright would otherwise keep it alive). */
  async stopWorkers(page: Page): Promise<void> {
    const cdp = await this.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
  }

  /** Replace the server with a fresh one configured by `env`, behind the same proxy. */
  /**
   * The same server restarted with another setting, on the same data directory. (A fresh directory
   * would also bring a fresh owner secret: the browser's cookie would be refused, and concurrent
   * requests of the page and the worker could each be given a new owner.)
   */
  async replaceServer(env: Record<string, string>): Promise<void> {
    if (!this.ferry.reconfigure) throw new Error('this backend cannot be restarted with another setting');
    this.ferry = await this.ferry.reconfigure(env);
    this.proxy.retarget(this.ferry.port);
  }

  async restartServer(): Promise<void> {
    this.ferry = await this.ferry.restart();
    this.proxy.retarget(this.ferry.port);
  }

  async close(): Promise<void> {
    await this.closeBrowser();
    await this.proxy.close();
    await this.ferry.close();
    await rm(this.filesDir, { recursive: true, force: true });
  }
}
