// Lists of buffers as one byte sequence, without joining them.

export function byteLength(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

/** The first `bytes` of `chunks`, and the rest. */
export function splitAt(chunks: readonly Buffer[], bytes: number): [Buffer[], Buffer[]] {
  const done: Buffer[] = [];
  let left = bytes;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (left >= chunk.length) {
      done.push(chunk);
      left -= chunk.length;
      continue;
    }
    if (left > 0) done.push(chunk.subarray(0, left));
    return [done, [chunk.subarray(left), ...chunks.slice(i + 1)]];
  }
  return [done, []];
}
