// This VM hands memory back to its host in two ways, and a row then pays for what the row before it
// freed, whatever its own code does (docs/performance.md, issue 34):
// - free page reporting: its balloon reports freed memory to the host, and a page touched again after
//   that faults on the host too (writing 1 GiB into the page cache cost 0.25-0.40 s of system time on
//   warm pages, up to 4.4 s on reported ones);
// - DAMON: a kernel thread pages out memory nobody touched for a minute (here: clean page cache), so
//   a file read again after that comes from the disk, into memory that may have been reported.
// - and memory the VM never touched is not backed by the host at all: its first touch costs about 2 s/GiB
//   of system time, wherever it lands (an IndexedDB copy into the page cache: 2.6-3.0 s/GiB, against
//   0.3 once the memory had been touched).
// BENCH_PAGE_REPORTING=off and BENCH_DAMON=off pause each for the run where the kernel lets them
// (root) and put them back at the end. BENCH_TOUCH_MEMORY=on pauses reporting and touches the free
// memory once first, so every row runs on backed memory, as on a phone. None is the default: each
// measures this VM's host, not the code, and needs root (docs/performance.md, issue 34).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';

const ORDER = '/sys/module/page_reporting/parameters/page_reporting_order';
// One past the largest block the page allocator keeps (order 10): no free block is large enough to report.
const NEVER = '11';
const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

export interface HostMemory {
  /** What the run measured on, for its log and results. */
  note: string;
  restore(): void;
}

interface Knob {
  note: string;
  restore?: () => void;
}

export function pauseHostMemory(): HostMemory {
  const touch = process.env.BENCH_TOUCH_MEMORY === 'on';
  const reporting = pageReporting(touch);
  const knobs = [reporting, damon()];
  if (touch) knobs.push(touchFreeMemory(reporting));
  const restore = () => {
    for (const knob of knobs) knob.restore?.();
  };
  if (knobs.some((knob) => knob.restore)) {
    // An interrupted bench still puts the machine back as it found it.
    process.once('exit', restore);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  return { note: knobs.map((knob) => knob.note).join('; '), restore };
}

function pageReporting(touching: boolean): Knob {
  let was: string;
  try {
    was = readFileSync(ORDER, 'utf8').trim();
  } catch {
    return { note: 'no free page reporting on this machine' };
  }
  if (process.env.BENCH_PAGE_REPORTING !== 'off' && !touching) return { note: `free page reporting on (order ${was}); BENCH_PAGE_REPORTING=off pauses it` };
  if (!tryWrite(ORDER, NEVER)) return { note: `free page reporting left on (order ${was}): not allowed` };
  return { note: `free page reporting paused for the run (page_reporting_order ${was} -> ${NEVER})`, restore: () => tryWrite(ORDER, was) };
}

function damon(): Knob {
  let running: string[];
  try {
    running = readdirSync(KDAMONDS).filter((name) => /^\d+$/.test(name) && readFileSync(`${KDAMONDS}/${name}/state`, 'utf8').trim() === 'on');
  } catch {
    return { note: 'no DAMON on this machine' };
  }
  if (running.length === 0) return { note: 'DAMON off' };
  if (process.env.BENCH_DAMON !== 'off') return { note: `DAMON on (${running.length} kdamond); BENCH_DAMON=off pauses it` };
  const paused = running.filter((name) => tryWrite(`${KDAMONDS}/${name}/state`, 'off'));
  return {
    note: `DAMON paused for the run (${paused.length} of ${running.length} kdamond)`,
    // 'on' starts a kdamond again from the parameters it still holds in sysfs.
    restore: () => paused.forEach((name) => tryWrite(`${KDAMONDS}/${name}/state`, 'on')),
  };
}

/** Margin left untouched, so that touching the rest never pushes out the page cache the bench relies on. */
const TOUCH_MARGIN = 2 * 1024 ** 3;

/** Write every free page once (in a child that then exits), so that the host backs them; useless unless reporting is paused. */
function touchFreeMemory(reporting: Knob): Knob {
  if (!reporting.restore) return { note: 'free memory not touched: reporting could not be paused, and would hand it back' };
  const gib = Math.floor((freemem() - TOUCH_MARGIN) / 1024 ** 3);
  if (gib < 1) return { note: 'free memory not touched: none to spare' };
  const started = Date.now();
  const script = `const held = []; for (let i = 0; i < ${gib}; i++) held.push(Buffer.alloc(2 ** 30, 1));`;
  const done = spawnSync(process.execPath, ['-e', script], { stdio: 'ignore' });
  const took = ((Date.now() - started) / 1000).toFixed(1);
  return { note: done.status === 0 ? `${gib} GiB of free memory touched once (${took} s)` : `touching free memory failed after ${took} s` };
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false; // not root, or the module went away: leave it as it is
  }
}
