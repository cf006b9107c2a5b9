// Putting rows in a new order with as few moves as the order allows. Placing each row from the top
// moved every row between a finished upload's old place and its new one: a batch of 300 photos made
// 7,300 moves (24 a file), each restyling its row and laying out the list again.

/**
 * For the wanted order, `from[i]` is where its i-th item is now (-1: not in the list yet): the indices
 * that must move. The others already stand in the wanted order (the longest such run: the longest
 * increasing subsequence of `from`) and stay where they are.
 */
export function indicesToMove(from: readonly number[]): Set<number> {
  // Patience sorting: ends[k] is the index ending the increasing run of length k + 1 with the smallest last position.
  const ends: number[] = [];
  const before = new Array<number>(from.length).fill(-1);
  for (let i = 0; i < from.length; i++) {
    const position = from[i]!;
    if (position < 0) continue;
    let low = 0;
    let high = ends.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (from[ends[middle]!]! < position) low = middle + 1;
      else high = middle;
    }
    if (low > 0) before[i] = ends[low - 1]!;
    ends[low] = i;
  }
  const stay = new Set<number>();
  for (let i = ends.at(-1) ?? -1; i >= 0; i = before[i]!) stay.add(i);
  const move = new Set<number>();
  for (let i = 0; i < from.length; i++) if (!stay.has(i)) move.add(i);
  return move;
}

/** What putInOrder needs of a list: an HTMLElement is one, and so is a test's array. */
export interface OrderedList<T> {
  readonly children: ArrayLike<unknown>;
  insertBefore(node: T, before: T | null): unknown;
}

/** Make `wanted` the order of those nodes in `list`, moving only the ones out of order (others in `list` end up after them). */
export function putInOrder<T>(list: OrderedList<T>, wanted: readonly T[]): void {
  const position = new Map<unknown, number>();
  Array.from(list.children).forEach((child, index) => position.set(child, index));
  const move = indicesToMove(wanted.map((node) => position.get(node) ?? -1));
  // From the end, so each node goes before one already in its final place.
  for (let i = wanted.length - 1; i >= 0; i--) if (move.has(i)) list.insertBefore(wanted[i]!, wanted[i + 1] ?? null);
}
