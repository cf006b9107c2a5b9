// How a pick is handed to the worker: small files together, so IndexedDB keeps many in one
// transaction (300 photos in 300 transactions took 0.5 s of IndexedDB alone, in ten 75 ms),
// large ones alone (copies side by side near a full quota would fail together).

/** A file this large is handed over alone. */
export const HAND_OVER_ALONE_BYTES = 8_000_000;
/** Small files in one hand-over: at most this many… */
const GROUP_FILES = 32;
/** …and at most this many bytes. */
const GROUP_BYTES = 16_000_000;
/** The first group is small, so the first upload starts before a whole group is stored. */
const FIRST_GROUP_FILES = 4;
/** Hand-overs in flight at once: the next is cloned to the worker while one is stored. */
const GROUPS_AT_ONCE = 2;

/** The files in hand-over groups, in the order picked. */
export function handOverGroups<T extends { size: number }>(files: readonly T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  const close = () => {
    if (group.length > 0) groups.push(group);
    group = [];
    bytes = 0;
  };
  for (const file of files) {
    if (file.size > HAND_OVER_ALONE_BYTES) {
      close();
      groups.push([file]);
      continue;
    }
    const most = groups.length === 0 ? FIRST_GROUP_FILES : GROUP_FILES;
    if (group.length >= most || bytes + file.size > GROUP_BYTES) close();
    group.push(file);
    bytes += file.size;
  }
  close();
  return groups;
}

/** Hand over every group in order, a couple at once, a large file only once those before it are stored. */
export async function handOverAll<T extends { size: number }>(files: readonly T[], handOver: (group: T[]) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (const group of handOverGroups(files)) {
    if (group.length === 1 && group[0]!.size > HAND_OVER_ALONE_BYTES) {
      await Promise.all(inFlight);
      await handOver(group);
      continue;
    }
    if (inFlight.size >= GROUPS_AT_ONCE) await Promise.race(inFlight);
    const going: Promise<void> = handOver(group).finally(() => inFlight.delete(going));
    inFlight.add(going);
  }
  await Promise.all(inFlight);
}
