// Debian's Firefox ESR for the end-to-end journeys, driven with puppeteer-core over WebDriver BiDi:
// Playwright drives only its own patched Firefox builds, and its BiDi mode needs commands ESR 153
// does not have (launching stops at emulation.setMediaFeaturesOverride: unknown command).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { aptInstall, findBrowser } from './packages.js';

/** Set FIREFOX_PATH to use a particular Firefox binary. */
export const FIREFOX_ENV = 'FIREFOX_PATH';

const CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

export function findFirefox(): string | undefined {
  return findBrowser(FIREFOX_ENV, CANDIDATES);
}

/** The Firefox to use; on a Debian machine run as root, installs firefox-esr when none is found. */
export function ensureFirefox(): string {
  const found = findFirefox();
  if (found) return found;
  aptInstall(['firefox-esr'], 'the Firefox journeys');
  const installed = findFirefox();
  if (installed) return installed;
  throw new Error(`No Firefox found. Install one (Debian: apt-get install -y firefox-esr) or set ${FIREFOX_ENV}.`);
}

// A closed network: no update checks, telemetry or remote settings, which only fill the log here.
const PREFS: Record<string, unknown> = {
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  // Notifications are allowed without a prompt, as a person who said yes would have them.
  'permissions.default.desktop-notification': 1,
  // Every console (pages and the service worker alike) also goes to stdout, where a test can keep it:
  // puppeteer's BiDi pages report their own console only, never a worker's.
  'devtools.console.stdout.content': true,
};

/** A Firefox profile kept on disk, so that the browser can be closed and started again on it. */
export class FirefoxProfile {
  browser!: Browser;
  /** The first tab. */
  page!: Page;
  /** Told of the first tab at every start (a test keeps its console). */
  onPage: ((page: Page) => void) | undefined;
  /** Told of each console line any page or worker printed, at every start (a worker's console is only seen here). */
  onConsole: ((line: string) => void) | undefined;

  private constructor(readonly dir: string) {}

  static async create(): Promise<FirefoxProfile> {
    const profile = new FirefoxProfile(await mkdtemp(path.join(os.tmpdir(), 'ferry-firefox-')));
    await profile.start();
    return profile;
  }

  /** Start Firefox headless on this profile. */
  async start(): Promise<void> {
    this.browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: ensureFirefox(),
      headless: true,
      userDataDir: this.dir,
      extraPrefsFirefox: PREFS,
    });
    this.listenToConsoles();
    this.page = (await this.browser.pages())[0] ?? (await this.browser.newPage());
    this.onPage?.(this.page);
  }

  /**
   * Firefox prints each console call as `console.log: …` (and warn, error…) on its stdout; Ferry's worker
   * logs a burst in one call, a line each (`12:00:01.250 ferry: done {…}`), and the lines after the first come bare.
   */
  private listenToConsoles(): void {
    let partial = '';
    this.browser.process()?.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (/^(console\.\w+:|\d\d:\d\d:\d\d\.\d{3} ferry: )/.test(line)) this.onConsole?.(line);
    });
  }

  /** Quit Firefox as a person does (every window closed); the profile stays. */
  async quit(): Promise<void> {
    await this.browser.close();
  }

  /** Quit Firefox and delete the profile. */
  async close(): Promise<void> {
    if (this.browser.connected) await this.browser.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
