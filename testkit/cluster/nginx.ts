// Debian's nginx in front of the Ferry instances, from the documented nginx.conf.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandPath } from '../packages.js';
import { portAnswers, startDaemon, waitUntil, type Daemon } from './daemons.js';

// The template lives beside this file's source: build/testkit/cluster → testkit/cluster.
const template = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../testkit/cluster/nginx.conf');

export async function startNginx(dir: string, port: number, upstreams: number[]): Promise<Daemon> {
  await mkdir(dir, { recursive: true });
  const conf = (await readFile(template, 'utf8'))
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{PORT}}', String(port))
    .replace('{{UPSTREAMS}}', upstreams.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=0;`).join('\n'));
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, conf);
  const daemon = startDaemon('nginx', commandPath('nginx') ?? 'nginx', ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], 'SIGTERM');
  await waitUntil(`nginx on port ${port}`, () => portAnswers(port), 10_000, path.join(dir, 'error.log'));
  return daemon;
}
