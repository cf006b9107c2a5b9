// Processes a test or the benchmark starts: forked servers that tell their port over IPC,
// and a promise that every child dies with us, however we are stopped.
import { fork, type ChildProcess } from 'node:child_process';

// A leaked server, monitor or gateway would hold ports and disk long after its test.
const owned = new Map<ChildProcess, NodeJS.Signals>();
process.once('exit', () => {
  for (const [child, signal] of owned) child.kill(signal);
});
// Stopped with SIGTERM (a test runner ending a file that will not exit), exit rather than die, so the
// children above are killed too: an orphaned server holds the runner's output pipe open, and the run hangs.
process.once('SIGTERM', () => process.exit(143));

/**
 * Kill `child` when this process exits, however it exits short of SIGKILL. `signal` is SIGKILL
 * unless the child must pass it on (nginx's master stops its workers on SIGTERM; killed, it orphans them).
 */
export function ownChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  owned.set(child, signal);
  child.once('exit', () => owned.delete(child));
}

export type Logs = 'inherit' | 'ignore' | ((text: string) => void);

export interface ForkOptions {
  env: Record<string, string>;
  /** Where the child's stdout and stderr go: this terminal, nowhere, or a function that keeps them (a test's evidence). */
  logs?: Logs;
  /** Start it with this limit on open files (`ulimit -n`, through util-linux's prlimit). */
  fileLimit?: number;
}

/** A forked server that has told us its port. */
export interface Served {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
  /** Send `signal` (SIGTERM by default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Fork `script`, which sends `{ port }` over IPC once it listens (Ferry's main.js, the sink, the tus server). */
export async function forkServer(script: string, { env, logs = 'inherit', fileLimit }: ForkOptions): Promise<Served> {
  const limited = fileLimit === undefined ? {} : { execPath: 'prlimit', execArgv: [`--nofile=${fileLimit}:${fileLimit}`, process.execPath] };
  const output = typeof logs === 'function' ? 'pipe' : logs;
  const child = fork(script, { env: { ...process.env, ...env }, stdio: ['ignore', output, output, 'ipc'], ...limited });
  ownChild(child);
  if (typeof logs === 'function') {
    for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', logs);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening; did npm run build run?`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
