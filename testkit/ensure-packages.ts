// `npm test` runs on real daemons and a real browser: install whatever packages.txt lists that is
// missing (about 15 s for Ceph), or say what to install.
import { findChromium } from './chromium.js';
import { findFirefox } from './firefox.js';
import { installMissing, onPath } from './packages.js';

// Any Chromium or Firefox will do (CHROMIUM_PATH, FIREFOX_PATH, or one already installed); the others by their command.
const browsers: Record<string, () => string | undefined> = { chromium: findChromium, 'firefox-esr': findFirefox };
const present = (command: string) => (browsers[command] ? browsers[command]() !== undefined : onPath(command));
try {
  installMissing(present, 'the browsers, S3 and cluster tests');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
