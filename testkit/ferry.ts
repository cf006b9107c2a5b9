// A real Ferry server as its own process (build/server/main.js), so that a test can kill it
// with SIGKILL or SIGTERM and start it again on the same data.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { forkServer, type Logs, type Served } from './processes.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const mainScript = path.join(repoRoot, 'build/server/main.js');
export const distDir = path.join(repoRoot, 'dist');

export interface FerryOptions {
  /** Extra environment (STORE, REDIS_URL, MAX_UPLOAD_BYTES, …). */
  env?: Record<string, string>;
  /** Keep the bytes here; without it a temporary directory is made, and removed by `close()`. */
  dataDir?: string;
  /** 0 (the default) picks a free port at every start; a fixed port is kept across restarts. */
  port?: number;
  logs?: Logs;
  /** `ulimit -n` for the server process. */
  fileLimit?: number;
}

export interface FerryProcess extends Served {
  dataDir: string;
  /** SIGKILL this process and start a new one on the same data directory (and port, if fixed). */
  restart(): Promise<FerryProcess>;
  /** SIGTERM (a clean shutdown), then remove the data directory if it was made for this process. */
  close(): Promise<void>;
  /**
   * A clean shutdown and a start on the same data directory with `env` added: the same server with
   * another setting, as an operator would change one. Its owner secret stays, so a browser's cookie does too.
   */
  reconfigure(env: Record<string, string>): Promise<FerryProcess>;
}

export async function forkFerry(options: FerryOptions = {}): Promise<FerryProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'ferry-data-')));
  return start(options, dataDir, options.dataDir === undefined);
}

async function start(options: FerryOptions, dataDir: string, removeOnClose: boolean): Promise<FerryProcess> {
  const served = await forkServer(mainScript, {
    env: {
      STATIC_DIR: distDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...options.env,
      PORT: String(options.port ?? 0),
      DATA_DIR: dataDir,
    },
    logs: options.logs ?? 'inherit',
    ...(options.fileLimit === undefined ? {} : { fileLimit: options.fileLimit }),
  });
  return {
    ...served,
    dataDir,
    async restart() {
      await served.stop('SIGKILL');
      return start(options, dataDir, removeOnClose);
    },
    async close() {
      await served.stop('SIGTERM');
      if (removeOnClose) await rm(dataDir, { recursive: true, force: true });
    },
    async reconfigure(env) {
      await served.stop('SIGTERM');
      return start({ ...options, env: { ...options.env, ...env } }, dataDir, removeOnClose);
    },
  };
}
