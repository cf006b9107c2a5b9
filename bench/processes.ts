// What the benchmark watches in the processes it starts: resident memory read from /proc
// (Linux only, like this bench), and the disk settled before each timed step.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** Peak resident set size of a process so far, from the kernel's high-water mark. */
export async function peakRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function rssKB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

/** Every live process as pid → parent pid and command name. */
async function processTable(): Promise<Map<number, { ppid: number; name: string }>> {
  const table = new Map<number, { ppid: number; name: string }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The name is in parentheses and may hold spaces; the parent pid is the second field after it.
    const match = /^\d+ \((.*)\) \S+ (\d+)/s.exec(stat);
    if (match) table.set(Number(entry), { name: match[1]!, ppid: Number(match[2]) });
  }
  return table;
}

/** The pids of every Chromium process started by this one, with all their descendants. */
export async function chromiumTree(): Promise<number[]> {
  const table = await processTable();
  const roots = [...table].filter(([, proc]) => proc.ppid === process.pid && /chrom/i.test(proc.name)).map(([pid]) => pid);
  return descendantsOf(table, roots);
}

/** Every other process started by this one, with its descendants, by command name (a cluster's Ferry instances, nginx, Ceph, Redis). */
export async function daemonTree(): Promise<Map<number, string>> {
  const table = await processTable();
  const roots = [...table].filter(([, proc]) => proc.ppid === process.pid && !/chrom/i.test(proc.name)).map(([pid]) => pid);
  return new Map(descendantsOf(table, roots).map((pid) => [pid, table.get(pid)!.name]));
}

function descendantsOf(table: Map<number, { ppid: number; name: string }>, roots: number[]): number[] {
  const found = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, proc] of table) {
      if (!found.has(pid) && found.has(proc.ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/**
 * Samples the summed RSS of all of Chromium's processes (browser, renderers, GPU,
 * network, workers) every `intervalMs`, and keeps the highest sum.
 */
export class BrowserRssSampler {
  private peakKB = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  start(intervalMs = 200): this {
    this.peakKB = 0;
    this.timer = setInterval(() => void this.sample(), intervalMs);
    return this;
  }

  /** Stop sampling and return the peak in MB. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sample();
    return this.peakKB / 1024;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const sizes = await Promise.all((await chromiumTree()).map(rssKB));
      this.peakKB = Math.max(this.peakKB, sizes.reduce((sum, size) => sum + size, 0));
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Write back every dirty page before a timed step, so that no step pays for the
 * previous one's writes (the disk here swings between 100 and 400 MB/s).
 */
export async function settleDisk(): Promise<void> {
  await promisify(execFile)('sync');
}
