// End-to-end fixtures: the real built server as a child process on an ephemeral
// port with a temp data dir, and Debian's Chromium with a persistent profile
// (DESIGN §3: an incognito context's IndexedDB only keeps references).
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts';

export interface FerryProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** SIGKILL this process and start a new one on the same data directory. */
  restart(): Promise<FerryProcess>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..');

export async function startFerry(env: Record<string, string> = {}, reuseDataDir?: string): Promise<FerryProcess> {
  const dataDir = reuseDataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'ferry-e2e-')));
  const child = fork(path.join(root, 'build/server/main.js'), {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, STATIC_DIR: path.join(root, 'dist'), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the server exited early with ${code}; did npm run build run?`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    async restart() {
      child.kill('SIGKILL');
      await exited;
      return startFerry(env, dataDir);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ferry-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? ensureChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The owner cookie the browser holds, so the test can read the server as that browser. */
export async function ownerCookie(context: BrowserContext, url: string): Promise<string> {
  const cookies = await context.cookies(url);
  const owner = cookies.find((cookie) => cookie.name === 'ferry_owner');
  if (!owner) throw new Error('the browser has no owner cookie');
  return `${owner.name}=${owner.value}`;
}

/** SHA-256 of the file the server stored for `id`, downloaded as the owner. */
export async function storedSha(url: string, cookie: string, id: string): Promise<string> {
  const response = await fetch(`${url}/files/${encodeURIComponent(id)}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`download of ${id} answered ${response.status}`);
  return sha256(new Uint8Array(await response.arrayBuffer()));
}
