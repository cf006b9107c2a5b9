// Debian's Chromium for the end-to-end tests and the benchmark (Playwright cannot download its
// own browser here), launched with a persistent profile: an incognito context's IndexedDB only
// keeps references (docs/design.md §3.5).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { aptInstall, findBrowser } from './packages.js';

/** Set CHROMIUM_PATH to use a particular browser binary. */
export const CHROMIUM_ENV = 'CHROMIUM_PATH';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | undefined {
  return findBrowser(CHROMIUM_ENV, CANDIDATES);
}

/** The browser to use; on a Debian machine run as root, installs the chromium package when none is found. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  aptInstall(['chromium'], 'the end-to-end tests');
  const installed = findChromium();
  if (installed) return installed;
  throw new Error(`No Chromium found. Install one (Debian: apt-get install -y chromium) or set ${CHROMIUM_ENV}.`);
}

/** Flags for a closed network: no background calls to Google's services, which are refused here. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface ChromiumProfile {
  context: BrowserContext;
  /** The first tab. */
  page: Page;
  /** Close the browser and delete its profile. */
  close(): Promise<void>;
}

/** Give the page a file input of its own beside the app's (a classic client's page, a baseline), and pick `file` in it. */
export async function pickInOwnInput(page: Page, inputId: string, file: string): Promise<void> {
  await page.evaluate((id) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = id;
    document.body.append(input);
  }, inputId);
  await page.setInputFiles(`#${inputId}`, file);
}

/** Headless Chromium on a fresh persistent profile in a temporary directory. */
export async function launchChromium(): Promise<ChromiumProfile> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ferry-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: ensureChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
