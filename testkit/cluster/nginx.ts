// Debian's nginx in front of the Ferry instances, from the documented nginx.conf.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandPath } from '../packages.js';
import { portAnswers, startDaemon, waitUntil, type Daemon } from './daemons.js';

// The template lives beside this file's source: build/testkit/cluster → testkit/cluster.
const template = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../testkit/cluster/nginx.conf');

export interface Nginx extends Daemon {
  /** One line a request: `<upstream address> <status> <method> <uri>`. */
  accessLog: string;
  /** Send only to the upstreams marked true (the others are marked `down`); resolves once nginx runs the new config. */
  route(ready: boolean[]): Promise<void>;
}

export async function startNginx(dir: string, port: number, upstreams: number[]): Promise<Nginx> {
  await mkdir(dir, { recursive: true });
  const source = (await readFile(template, 'utf8')).replaceAll('{{DIR}}', dir).replaceAll('{{PORT}}', String(port));
  const file = path.join(dir, 'nginx.conf');
  const write = (ready: boolean[]) => writeFile(file, source.replace('{{UPSTREAMS}}', upstreams.map((upstream, n) => `    server 127.0.0.1:${upstream} max_fails=0${ready[n] === false ? ' down' : ''};`).join('\n')));
  await write([]);
  const daemon = startDaemon('nginx', commandPath('nginx') ?? 'nginx', ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], 'SIGTERM');
  await waitUntil(`nginx on port ${port}`, () => portAnswers(port), 10_000, path.join(dir, 'error.log'));
  const workers = (): Promise<string[]> => readFile(`/proc/${daemon.child.pid}/task/${daemon.child.pid}/children`, 'utf8').then((text) => text.split(' ').filter(Boolean), () => []);
  return {
    ...daemon,
    accessLog: path.join(dir, 'access.log'),
    async route(ready) {
      await write(ready);
      // A reload starts new workers on the new config and lets the old ones finish their requests. Done
      // when a new one runs and every old one has stopped taking connections (it is gone, or has renamed
      // itself "worker process is shutting down"): until then an old worker may still route the old way.
      const before = await workers();
      daemon.child.kill('SIGHUP');
      const settled = async () => {
        const now = await workers();
        const oldOnes = await Promise.all(before.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').then((title) => title.includes('shutting down'), () => true)));
        return now.some((pid) => !before.includes(pid)) && oldOnes.every(Boolean);
      };
      await waitUntil('nginx reloaded', settled, 10_000, path.join(dir, 'error.log'));
    },
  };
}
