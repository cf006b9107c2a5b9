// An example host app as a user builds it: the repository packed with `npm pack`, the tarball
// installed into a temporary copy of examples/<name>, built by its own Vite, served by its own backend.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from '@playwright/test';
import { launchChromium, type ChromiumProfile } from '../build/testkit/chromium.js';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import { forkServer, type Served } from '../build/testkit/processes.js';
import { Evidence } from './evidence.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

export interface PackedExample {
  /** The temporary copy, with the tarball installed and built. */
  dir: string;
  tarball: string;
  tarballBytes: number;
  remove(): Promise<void>;
}

/** Pack the repository, copy the example, install the tarball and the example's own dependencies, and build it. */
export async function buildPackedExample(name: string, log: (text: string) => void): Promise<PackedExample> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-example-'));
  const step = async (file: string, args: string[], cwd: string) => {
    const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
    log(`$ ${file} ${args.join(' ')}\n${stdout}${stderr}`);
    return stdout;
  };
  const packed = JSON.parse(await step('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; size: number }>;
  const tarball = path.join(work, packed[0]!.filename);
  const dir = path.join(work, 'app');
  await cp(path.join(ROOT, 'examples', name), dir, { recursive: true, filter: (source) => !/node_modules|dist|uploads$/.test(path.basename(source)) });
  // As a user would: the tarball, and with it the example's own dependencies.
  await step('npm', ['install', '--prefer-offline', tarball], dir);
  await step('npm', ['run', 'build'], dir);
  log(`built: ${(await readdir(path.join(dir, 'dist'))).join(' ')}`);
  return { dir, tarball, tarballBytes: packed[0]!.size, remove: () => rm(work, { recursive: true, force: true }) };
}

/** The example's backend (server.js), with `env` (where it keeps uploads). */
export function startExample(example: PackedExample, env: Record<string, string>, log: (text: string) => void): Promise<Served> {
  return forkServer(path.join(example.dir, 'server.js'), { env: { PORT: '0', ...env }, logs: log });
}

/** What each test of an example gets: its backend (keeping uploads in `dir`), a fault proxy in front, Chromium. */
export interface ExampleRun {
  example: PackedExample;
  dir: string;
  backend: Served;
  proxy: FaultProxy;
  browser: ChromiumProfile;
  evidence: Evidence;
  /** A file of random bytes named `name`, to pick. */
  makeFile(name: string, type: string, size: number): Promise<Source>;
}

export interface Source {
  name: string;
  /** The media type Chromium gives the name. */
  type: string;
  path: string;
  size: number;
  sha256: string;
}

/** Build examples/`name` once for the spec file; give each test a fresh run, its backend started with `envFor(dir)`. */
export function useExample(name: string, envFor: (dir: string) => Record<string, string>): () => ExampleRun {
  let example: PackedExample | undefined;
  let run: ExampleRun | undefined;
  let sources = '';
  test.beforeAll(async () => {
    test.setTimeout(600_000);
    example = await buildPackedExample(name, new Evidence().sink('build'));
    console.log(`${name}: packed tarball ${(example.tarballBytes / 1000).toFixed(1)} kB`);
  });
  test.afterAll(async () => {
    await example?.remove();
  });
  test.beforeEach(async () => {
    const evidence = new Evidence();
    const dir = await mkdtemp(path.join(os.tmpdir(), `ferry-${name}-data-`));
    sources = await mkdtemp(path.join(os.tmpdir(), `ferry-${name}-sources-`));
    const backend = await startExample(example!, envFor(dir), evidence.sink(name));
    const proxy = await new FaultProxy(backend.port).listen();
    const browser = await launchChromium();
    browser.context.on('console', (message) => evidence.add('console', message.text()));
    const makeFile = async (file: string, type: string, size: number): Promise<Source> => {
      const data = randomBytes(size);
      await writeFile(path.join(sources, file), data);
      return { name: file, type, path: path.join(sources, file), size, sha256: createHash('sha256').update(data).digest('hex') };
    };
    run = { example: example!, dir, backend, proxy, browser, evidence, makeFile };
  });
  test.afterEach(async ({}, info) => {
    if (!run) return;
    const { evidence, browser, proxy, backend, dir } = run;
    if (info.status !== info.expectedStatus) await evidence.attach(() => browser.context.pages()[0]?.screenshot());
    await browser.close();
    await proxy.close();
    await backend.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(sources, { recursive: true, force: true });
  });
  return () => run!;
}
