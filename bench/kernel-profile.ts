// Where the CPU of one upload goes inside each process, by sampling every CPU with `perf record -a`
// (issue 34): user code, first-touch page faults (fresh memory), copies into the page cache, and
// the rest of the kernel. This VM reports freed pages to its host, so fresh memory costs a fault on
// the host too; the split tells that cost from the work a faster machine would also do. Needs perf
// and the right to profile the whole system (root, or kernel.perf_event_paranoid ≤ 0).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Watch } from './app-session.js';
import { CpuMeter } from './cpu.js';
import { uploadThree, type Upload } from './cpu-per-gib.js';

const SAMPLES_PER_SECOND = 999;

export const PROFILE_CLASSES = ['user', 'first-touch faults', 'page-cache copies', 'other kernel'] as const;
export type ProfileClass = (typeof PROFILE_CLASSES)[number];

/** Seconds of CPU by process kind, then by class. */
export type Profile = Record<string, Record<ProfileClass, number>>;

/** A Watch that records every CPU between begin and end, and tells each sample's process kind. */
export function profiled(servers: Record<string, number | undefined>, out: string): Watch & { profile: () => Promise<Profile> } {
  const meter = new CpuMeter(servers);
  let perf: ReturnType<typeof spawn> | undefined;
  let exited: Promise<unknown> | undefined;
  return {
    begin: async () => {
      await meter.start();
      perf = spawn('perf', ['record', '-a', '-g', '-F', String(SAMPLES_PER_SECOND), '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
      exited = new Promise((resolve, reject) => perf!.once('exit', resolve).once('error', reject));
      // perf says it is recording only once it has set up every CPU's buffer.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    },
    end: async () => {
      perf!.kill('SIGINT');
      await exited;
      await meter.stop();
    },
    profile: () => readProfile(out, meter.kinds()),
  };
}

/** Sum `perf script`'s samples by the kind of process they ran in and by what their stack shows. */
async function readProfile(recording: string, kinds: Map<number, string>): Promise<Profile> {
  const script = spawn('perf', ['script', '-i', recording, '-F', 'pid,ip,sym,dso'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const profile: Profile = {};
  let sample: { pid: number; frames: string[] } | undefined;
  const count = () => {
    if (!sample) return;
    const kind = kinds.get(sample.pid);
    if (kind !== undefined) {
      const row = (profile[kind] ??= Object.fromEntries(PROFILE_CLASSES.map((name) => [name, 0])) as Record<ProfileClass, number>);
      row[classOf(sample.frames)] += 1 / SAMPLES_PER_SECOND;
    }
    sample = undefined;
  };
  for await (const line of createInterface({ input: script.stdout! })) {
    if (line.trim() === '') count();
    // A sample's first line is its pid (right-aligned); its stack frames follow, each after a tab.
    else if (!line.startsWith('\t')) sample = { pid: Number(line.trim().split(/\s+/)[0]), frames: [] };
    else sample?.frames.push(line);
  }
  count();
  return profile;
}

/** A sample's class, from its leaf frame and the calls under it. */
function classOf(frames: string[]): ProfileClass {
  const stack = frames.join('\n');
  if (stack.includes(' handle_mm_fault ')) return 'first-touch faults';
  if (stack.includes(' generic_perform_write ') || stack.includes(' do_splice_direct ')) return 'page-cache copies';
  return frames[0]?.includes('[kernel.kallsyms]') ? 'other kernel' : 'user';
}

/** Each upload's profile of `file` on loopback, in seconds of CPU per GiB. */
export async function profileUploads(work: string, file: string, bytes: number): Promise<Record<Upload, Profile>> {
  const { watches } = await uploadThree(work, file, (upload, server) => profiled({ server }, path.join(work, `${upload}.perf`)));
  const scale = 1024 ** 3 / bytes;
  const perGiB = async (watch: { profile: () => Promise<Profile> }) => Object.fromEntries(Object.entries(await watch.profile())
    .map(([kind, row]) => [kind, Object.fromEntries(Object.entries(row).map(([name, seconds]) => [name, seconds * scale]))])) as Profile;
  return { xhr: await perGiB(watches.xhr), ferry: await perGiB(watches.ferry), tus: await perGiB(watches.tus) };
}

/** One line per process kind that spent at least 0.05 s/GiB, largest first. */
export function showProfile(profile: Profile): string {
  const total = (row: Record<ProfileClass, number>) => PROFILE_CLASSES.reduce((sum, name) => sum + row[name], 0);
  return Object.entries(profile).filter(([, row]) => total(row) >= 0.05).sort((a, b) => total(b[1]) - total(a[1]))
    .map(([kind, row]) => `  ${kind.padEnd(10)} ${total(row).toFixed(2)}: ${PROFILE_CLASSES.map((name) => `${name} ${row[name].toFixed(2)}`).join(', ')}`)
    .join('\n');
}
