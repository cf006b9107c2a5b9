// Shared plumbing for the throw-away daemons of the cluster topology: free ports,
// foreground daemons we background ourselves (PIDs kept, only ours stopped, all killed when we exit),
// readiness polled against a deadline that fails with the log's tail.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { promisify } from 'node:util';
import { ownChild } from '../processes.js';

export const run = promisify(execFile);

/**
 * A port for a daemon to listen on, found free below the kernel's ephemeral range. A port from
 * listen(0) comes from that range, and between our close and the daemon's bind any outgoing
 * connection (Chromium's, the tests') may take it as its own local port. Random, so two callers
 * at once rarely meet (1 in 20,000).
 */
export async function freePort(): Promise<number> {
  const ephemeralFrom = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').then((range) => Number(range.trim().split(/\s+/)[0]), () => 32768);
  const from = 10_000;
  for (let tries = 0; tries < 100 && ephemeralFrom > from; tries++) {
    const port = from + Math.floor(Math.random() * (ephemeralFrom - from));
    if (await listensFree(port)) return port;
  }
  return listenedOn(0);
}

function listensFree(port: number): Promise<boolean> {
  return listenedOn(port).then(() => true, () => false);
}

function listenedOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startDaemon(name: string, command: string, args: string[], onParentExit: NodeJS.Signals = 'SIGKILL'): Daemon {
  const child = spawn(command, args, { stdio: 'ignore' });
  ownChild(child, onParentExit);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, child, exited, stop };
}

/** The last lines of `file` (a daemon's log), or '' when it cannot be read. */
export async function logTail(file: string, lines = 30): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
}

/** Poll `check` every 100 ms until it gives a value, `givenUp()` says stop, or `timeoutMs` passes (then undefined). */
export async function pollFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, givenUp: () => boolean = () => false): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !givenUp()) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Poll `ready` until it says yes; past the deadline, fail with the last lines of `logFile`. */
export async function waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  if (await pollFor(async () => ((await ready().catch(() => false)) ? true : undefined), timeoutMs)) return;
  const tail = logFile ? await logTail(logFile) : '';
  throw new Error(`${what} was not ready after ${timeoutMs} ms${tail ? `; last lines of ${logFile}:\n${tail}` : ''}`);
}
