// `npm test` runs on real daemons and a real browser: install whatever packages.txt lists that is
// missing (about 15 s for Ceph), or say what to install.
import { findChromium } from './chromium.js';
import { installMissing, onPath } from './packages.js';

// Any Chromium will do (CHROMIUM_PATH, or a Chrome already installed); the others by their command.
const present = (command: string) => (command === 'chromium' ? findChromium() !== undefined : onPath(command));
try {
  installMissing(present, 'the browser, S3 and cluster tests');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
