// The Debian packages the tests need, kept once in packages.txt, and a way to install the missing ones.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './ferry.js';

export interface Needed {
  command: string;
  pkg: string;
}

export function neededPackages(): Needed[] {
  const text = readFileSync(path.join(repoRoot, 'testkit/packages.txt'), 'utf8');
  return text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const [command, pkg] = line.split(/\s+/) as [string, string];
    return { command, pkg };
  });
}

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser binary named by the environment variable `env` (which must be executable), else the first candidate that is. */
export function findBrowser(env: string, candidates: string[]): string | undefined {
  const chosen = process.env[env];
  if (chosen) {
    if (!executable(chosen)) throw new Error(`${env}=${chosen} is not an executable file`);
    return chosen;
  }
  return candidates.find(executable);
}

/** Where `command` is, on PATH or in /usr/sbin (where Debian puts nginx, off a normal user's PATH). */
export function commandPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(':').concat('/usr/sbin').map((dir) => path.join(dir, command)).find(executable);
}

export function onPath(command: string): boolean {
  return commandPath(command) !== undefined;
}

/** On a Debian machine run as root, install `packages` with apt-get; elsewhere throw, saying what to install. */
export function aptInstall(packages: string[], why: string): void {
  if (packages.length === 0) return;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new Error(`${why} need Debian's ${packages.join(', ')}: run apt-get install -y --no-install-recommends ${packages.join(' ')} as root.`);
  }
  console.log(`Installing Debian's ${packages.join(', ')} for ${why}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}

/**
 * The cluster's daemons (Ceph, Redis, nginx: every package listed but the browsers), for the
 * bench and `npm run start:cluster`: installed when missing on Debian as root, else an error
 * whose message says in one sentence what to install.
 */
export function ensureClusterDaemons(why: string): void {
  installMissing((command) => BROWSERS.has(command) || onPath(command), why);
}

/** The lines of packages.txt that are browsers, found by testkit/chromium.ts and testkit/firefox.ts rather than by command. */
export const BROWSERS: ReadonlySet<string> = new Set(['chromium', 'firefox-esr']);

/** Install the listed packages whose command is not `present` (see aptInstall). */
export function installMissing(present: (command: string) => boolean, why: string): void {
  const missing = neededPackages().filter(({ command }) => !present(command)).map(({ pkg }) => pkg);
  aptInstall([...new Set(missing)], why);
}
