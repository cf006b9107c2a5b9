// A throw-away redis-server on a free loopback port, without persistence: the locks it
// holds are meant to vanish when it restarts, and the writers must cope (issue 6).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort, portAnswers, startDaemon, waitUntil, type Daemon } from './daemons.js';

export interface RedisServer {
  url: string;
  /** Kill it (SIGKILL: everything it held is gone) and start it again on the same port. */
  restart(): Promise<void>;
  /** Kill it (SIGKILL) and leave it down, until `start`. */
  kill(): Promise<void>;
  /** Start it again on the same port, after `kill`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string): Promise<RedisServer> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--logfile', path.join(dir, 'redis.log'), '--daemonize', 'no'];
  const launch = async (): Promise<Daemon> => {
    const daemon = startDaemon('redis-server', 'redis-server', args);
    await waitUntil('redis-server', () => portAnswers(port), 10_000, path.join(dir, 'redis.log'));
    return daemon;
  };
  let daemon = await launch();
  const kill = async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  };
  const start = async () => {
    daemon = await launch();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await kill();
      await start();
    },
    kill,
    start,
    stop: () => daemon.stop(),
  };
}
