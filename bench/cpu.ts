// CPU per GiB: the seconds of CPU (user + system, from /proc/<pid>/stat) that every Chromium
// process and the server spend on one upload on loopback, split by process kind, so a change
// can be judged by where its CPU went. Linux only, like the rest of the bench.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { chromiumTree, daemonTree } from './processes.js';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** user + system CPU of a process in seconds, and what kind of process it is; undefined once it has gone. */
async function cpuOf(pid: number): Promise<{ seconds: number; kind: string } | undefined> {
  const [stat, cmdline] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
    readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
  ]);
  if (!stat) return undefined;
  // Chromium rewrites its command line as one space-separated title. Fields after the parenthesised name: state is the 1st, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, kind: kindOf(cmdline.split(/[\0 ]/)) };
}

/** Chromium's process kinds from its command line: browser, renderer (pages and workers), network, storage, gpu, … */
function kindOf(argv: string[]): string {
  const type = argv.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (!type) return 'browser';
  if (type !== 'utility') return type;
  const service = argv.find((arg) => arg.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length) ?? '';
  if (service.startsWith('network.')) return 'network';
  if (service.startsWith('storage.')) return 'storage';
  return `utility ${service}`;
}

export interface CpuUse {
  /** Seconds of CPU, all processes. */
  seconds: number;
  /** Seconds of CPU by process kind (Chromium's kinds, and the servers by their label). */
  byKind: Record<string, number>;
}

/**
 * Samples the CPU of every Chromium process this bench started and of the named server
 * processes, and reports what each spent between start() and stop(). A process that starts
 * meanwhile counts from zero; one that exits loses at most its last interval.
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, { seconds: number; kind: string }>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  /** `daemons`: also every other process this one started (and theirs), labelled by command name. */
  constructor(private readonly servers: Record<string, number | undefined>, private readonly daemons = false) {}

  async start(intervalMs = 250): Promise<this> {
    await this.sample(true);
    this.timer = setInterval(() => void (this.sampling ??= this.sample(false).finally(() => (this.sampling = undefined))), intervalMs);
    return this;
  }

  async stop(): Promise<CpuUse> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const byKind: Record<string, number> = {};
    for (const [pid, now] of this.last) byKind[now.kind] = (byKind[now.kind] ?? 0) + now.seconds - (this.first.get(pid) ?? 0);
    return { seconds: Object.values(byKind).reduce((sum, seconds) => sum + seconds, 0), byKind };
  }

  /** Each process sampled so far, by pid, with its kind (Chromium's, or the server's label). */
  kinds(): Map<number, string> {
    return new Map([...this.last].map(([pid, { kind }]) => [pid, kind]));
  }

  private async sample(initial: boolean): Promise<void> {
    const labels = new Map<number, string>();
    if (this.daemons) for (const [pid, name] of await daemonTree()) labels.set(pid, name === 'node' ? 'ferry' : name);
    for (const [label, pid] of Object.entries(this.servers)) if (pid !== undefined) labels.set(pid, label);
    const pids = [...(await chromiumTree()), ...labels.keys()];
    await Promise.all(pids.map(async (pid) => {
      const use = await cpuOf(pid);
      if (!use) return;
      const kind = labels.get(pid) ?? use.kind;
      if (initial) this.first.set(pid, use.seconds);
      else if (!this.first.has(pid)) this.first.set(pid, 0);
      this.last.set(pid, { seconds: use.seconds, kind });
    }));
  }
}

/** CPU seconds per GiB moved, by kind too. */
export function perGiB(use: CpuUse, bytes: number): CpuUse {
  const scale = 1024 ** 3 / bytes;
  return { seconds: use.seconds * scale, byKind: Object.fromEntries(Object.entries(use.byKind).map(([kind, seconds]) => [kind, seconds * scale])) };
}
