// Finds a Chromium for the end-to-end tests, installing Debian's when there is none.
// Playwright cannot download its own browser here, so we drive the system one.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Set CHROMIUM_PATH to use a particular browser binary. */
export const CHROMIUM_ENV = 'CHROMIUM_PATH';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(): string | undefined {
  const chosen = process.env[CHROMIUM_ENV];
  if (chosen) {
    if (!executable(chosen)) throw new Error(`${CHROMIUM_ENV}=${chosen} is not an executable file`);
    return chosen;
  }
  return CANDIDATES.find(executable);
}

/** The browser to use; on a Debian machine run as root, installs the chromium package when none is found. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  if (process.getuid?.() === 0 && executable('/usr/bin/apt-get')) {
    console.log('No Chromium found: installing Debian\'s chromium package…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    const installed = findChromium();
    if (installed) return installed;
  }
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
