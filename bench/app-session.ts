// One Chromium with a persistent profile (DESIGN §3: incognito IndexedDB lies) on
// the real app, and what the bench needs to watch it: rows, and the server's view.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, ensureChromium } from '../e2e/chromium.js';

export const MiB = 1024 * 1024;

export async function launchProfile(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? ensureChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
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
    const { context, page, close } = await launchProfile();
    await page.goto(appUrl);
    await page.waitForSelector('body[data-ready="true"]');
    return new AppSession(context, page, serverUrl, close);
  }

  async pick(file: string): Promise<void> {
    await this.page.setInputFiles('#picker', file);
  }

  row(name: string): Locator {
    return this.page.locator('li.upload', { has: this.page.locator('.name', { hasText: name }) });
  }

  async waitForState(name: string, state: string, timeoutMs = 30 * 60_000): Promise<void> {
    await this.row(name).and(this.page.locator(`[data-state="${state}"]`)).waitFor({ timeout: timeoutMs });
  }

  async idOf(name: string): Promise<string> {
    await this.row(name).waitFor();
    return (await this.row(name).getAttribute('data-id'))!;
  }

  private async cookie(): Promise<string> {
    const owner = (await this.context.cookies(this.page.url())).find((cookie) => cookie.name === 'ferry_owner');
    if (!owner) throw new Error('the browser has no owner cookie yet');
    return `${owner.name}=${owner.value}`;
  }

  /** A function that reads the bytes the server has received for `id` (verified or not yet), as this browser's owner. */
  async receivedReader(id: string): Promise<() => Promise<number>> {
    const cookie = await this.cookie();
    return async () => {
      const response = await fetch(`${this.serverUrl}/status`, { headers: { cookie, 'X-File-Id': id, 'X-Progress-Poll': '1' } });
      const offset = Number(await response.text());
      return Number(response.headers.get('x-upload-received') ?? offset);
    };
  }

  /** Whether the server's stored file has the same SHA-256 as `source`. */
  async storedMatches(id: string, source: string): Promise<boolean> {
    const response = await fetch(`${this.serverUrl}/files/${encodeURIComponent(id)}`, { headers: { cookie: await this.cookie() } });
    if (response.status !== 200) return false;
    const stored = createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex');
    return stored === (await fileSha256(source));
  }

  close(): Promise<void> {
    return this.closeProfile();
  }
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
