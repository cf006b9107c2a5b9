// This VM's balloon reports freed memory to its host (free page reporting), and a page touched again
// after that faults on the host too: writing 1 GiB into the page cache cost 0.25-0.40 s of system time
// on warm pages and up to 4.4 s on reported ones (docs/performance.md, issue 34). A row then pays for
// what the row before it freed, whatever its own code does. BENCH_PAGE_REPORTING=off pauses reporting
// for the run where the kernel lets it (root, the page_reporting module) and puts it back at the end.
// Not the default: six alternated CPU runs each way moved Ferry ÷ tus-js-client within its spread.
import { readFileSync, writeFileSync } from 'node:fs';

const ORDER = '/sys/module/page_reporting/parameters/page_reporting_order';
// One past the largest block the page allocator keeps (order 10): no free block is large enough to report.
const NEVER = '11';

export interface PageReporting {
  /** What the run measured on, for its log and results. */
  note: string;
  restore(): void;
}

export function pausePageReporting(): PageReporting {
  let was: string;
  try {
    was = readFileSync(ORDER, 'utf8').trim();
  } catch {
    return { note: 'no free page reporting on this machine', restore: () => undefined };
  }
  if (process.env.BENCH_PAGE_REPORTING !== 'off') return { note: `free page reporting on (order ${was}); BENCH_PAGE_REPORTING=off pauses it`, restore: () => undefined };
  try {
    writeFileSync(ORDER, NEVER);
  } catch (error) {
    return { note: `free page reporting left on (order ${was}): ${(error as Error).message}`, restore: () => undefined };
  }
  const restore = () => {
    try {
      writeFileSync(ORDER, was);
    } catch {
      // the module went away meanwhile: nothing to put back
    }
  };
  // An interrupted bench still puts the machine back as it found it.
  process.once('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  return { note: `free page reporting paused for the run (page_reporting_order ${was} -> ${NEVER})`, restore };
}
