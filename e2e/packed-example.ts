// The example host app as a user builds it: the repository packed with `npm pack`, the tarball
// installed into a temporary copy of examples/tus-host, built by its own Vite, served by its own backend.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { forkServer, type Served } from '../build/testkit/processes.js';

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
export async function buildPackedExample(log: (text: string) => void): Promise<PackedExample> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-example-'));
  const step = async (file: string, args: string[], cwd: string) => {
    const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
    log(`$ ${file} ${args.join(' ')}\n${stdout}${stderr}`);
    return stdout;
  };
  const packed = JSON.parse(await step('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; size: number }>;
  const tarball = path.join(work, packed[0]!.filename);
  const dir = path.join(work, 'app');
  await cp(path.join(ROOT, 'examples', 'tus-host'), dir, { recursive: true, filter: (source) => !/node_modules|dist|uploads$/.test(path.basename(source)) });
  // As a user would: the tarball, and with it the example's own dependencies.
  await step('npm', ['install', '--prefer-offline', tarball], dir);
  await step('npm', ['run', 'build'], dir);
  log(`built: ${(await readdir(path.join(dir, 'dist'))).join(' ')}`);
  return { dir, tarball, tarballBytes: packed[0]!.size, remove: () => rm(work, { recursive: true, force: true }) };
}

/** The example's backend (server.js), its tus uploads in `uploads`. */
export function startExample(example: PackedExample, uploads: string, log: (text: string) => void): Promise<Served> {
  return forkServer(path.join(example.dir, 'server.js'), { env: { PORT: '0', TUS_DIR: uploads }, logs: log });
}
