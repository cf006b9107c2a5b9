// One append on its way: send the slice, and while it travels poll the server's offset
// twice a second where the protocol allows it (Ferry's), so the bar stays within a second of
// the server on slow links; abort the request when the server stops seeing bytes or the
// chunk overruns its deadline.
import { chunkDeadlineMs, NO_PROGRESS_MS } from './policy.js';
import type { AppendAnswer, UploadProtocol, UploadRef } from './protocols/port.js';

/** Status polls during a chunk: cheap for the server, and the bar's only source of truth. */
const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 5000;
/**
 * The server has seen no new byte for this long: the row says "Reconnecting…" (a poll every 500 ms
 * notices it within 2 s; it read "Uploading · 231 kB/s" for 7 s after a cut).
 */
export const STALLED_MS = 1500;

export interface ChunkTiming {
  now(): number;
  pollIntervalMs?: number;
  chunkDeadline?: (bytes: number, rate: number) => number;
  noProgressMs?: number;
  stalledMs?: number;
}

/** What the loop hears while a chunk travels. */
export interface ChunkEvents {
  /** An offset the server reported during the chunk. */
  progress(offset: number): void;
  /** The server has seen nothing new for a while (once until it moves again). */
  stalled?(): void;
}

export interface Chunk {
  start: number;
  body: Blob;
  headers: Record<string, string>;
  /** The confirmed rate so far, bytes/s: it sets the chunk's deadline. */
  rate: number;
}

/** Send `chunk`; `events` hears every offset the server reports during it, and stalls. Throws like UploadProtocol.append. */
export async function sendChunk(
  protocol: UploadProtocol,
  timing: ChunkTiming,
  upload: UploadRef,
  chunk: Chunk,
  signal: AbortSignal,
  events: ChunkEvents,
): Promise<AppendAnswer> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal.addEventListener('abort', abort);
  const deadline = setTimeout(abort, (timing.chunkDeadline ?? chunkDeadlineMs)(chunk.body.size, chunk.rate));
  let best = chunk.start;
  let movedAt = timing.now();
  let settled = false;
  let polling = false;
  let stalled = false;
  // Checked on every tick, not when a poll answers: on a link gone silent the polls hang too.
  const poll = setInterval(() => {
    if (!protocol.pollsWhileSending) return;
    const still = timing.now() - movedAt;
    if (still > (timing.noProgressMs ?? NO_PROGRESS_MS)) {
      abort(); // the server has seen nothing new for too long: a stalled connection
      return;
    }
    if (!stalled && still >= (timing.stalledMs ?? STALLED_MS)) {
      stalled = true;
      events.stalled?.();
    }
    if (polling) return;
    polling = true;
    // A progress poll: a plain status would stop the very append it measures.
    protocol.progress(upload, AbortSignal.any([request.signal, AbortSignal.timeout(POLL_TIMEOUT_MS)])).then((held) => {
      if (settled) return;
      // Progress shows what arrived; the bytes count once their digest is checked at the end of the chunk.
      const arrived = held.received ?? held.offset;
      if (arrived > best) {
        best = arrived;
        movedAt = timing.now();
        stalled = false;
        events.progress(best);
      }
    }, () => undefined).finally(() => (polling = false));
  }, timing.pollIntervalMs ?? POLL_INTERVAL_MS);
  try {
    return await protocol.append(upload, chunk.start, chunk.body, request.signal, chunk.headers);
  } finally {
    settled = true;
    clearInterval(poll);
    clearTimeout(deadline);
    signal.removeEventListener('abort', abort);
  }
}
