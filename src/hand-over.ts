// How a pick is handed to the worker: in groups, so IndexedDB keeps many small files in one
// transaction (300 photos in 300 transactions took 0.5 s of IndexedDB alone, in ten 75 ms). The
// page never reads a size here: the first `size` of a picked File is a synchronous stat, 80 ms of
// the page's main thread for 300 photos. The worker reads them, and copies large files one at a time.

/** Files in one hand-over. */
const GROUP_FILES = 32;
/** The first group is small, so the first upload starts before a whole group is stored. */
const FIRST_GROUP_FILES = 4;
/** Hand-overs in flight at once: the next is cloned to the worker while one is stored. */
const GROUPS_AT_ONCE = 2;

/** The files in hand-over groups, in the order picked. */
export function handOverGroups<T>(files: readonly T[]): T[][] {
  const groups = files.length > 0 ? [files.slice(0, FIRST_GROUP_FILES)] : [];
  for (let start = FIRST_GROUP_FILES; start < files.length; start += GROUP_FILES) groups.push(files.slice(start, start + GROUP_FILES));
  return groups;
}

/** Hand over every group in order, a couple at once. */
export async function handOverAll<T>(files: readonly T[], handOver: (group: T[]) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (const group of handOverGroups(files)) {
    if (inFlight.size >= GROUPS_AT_ONCE) await Promise.race(inFlight);
    const going: Promise<void> = handOver(group).finally(() => inFlight.delete(going));
    inFlight.add(going);
  }
  await Promise.all(inFlight);
}
