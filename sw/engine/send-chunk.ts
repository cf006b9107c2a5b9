// One append on its way: send the slice, and while it travels poll the server's offset
// twice a second where the protocol allows it (Ferry's), so the bar stays within a second of
// the server on slow links; abort the request when the server stops seeing bytes or the
// chunk overruns its deadline.
import { chunkDeadlineMs, NO_PROGRESS_MS } from './policy.js';
import type { AppendAnswer, UploadProtocol, UploadRef } from './protocols/port.js';

/** Status polls during a chunk: cheap for the server, and the bar's only source of truth. */
const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 5000;

export interface ChunkTiming {
  now(): number;
  pollIntervalMs?: number;
  chunkDeadline?: (bytes: number, rate: number) => number;
  noProgressMs?: number;
}

export interface Chunk {
  start: number;
  body: Blob;
  headers: Record<string, string>;
  /** The confirmed rate so far, bytes/s: it sets the chunk's deadline. */
  rate: number;
}

/** Send `chunk`; `onProgress` hears every offset the server reports during it. Throws like UploadProtocol.append. */
export async function sendChunk(
  protocol: UploadProtocol,
  timing: ChunkTiming,
  upload: UploadRef,
  chunk: Chunk,
  signal: AbortSignal,
  onProgress: (offset: number) => void,
): Promise<AppendAnswer> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal.addEventListener('abort', abort);
  const deadline = setTimeout(abort, (timing.chunkDeadline ?? chunkDeadlineMs)(chunk.body.size, chunk.rate));
  let best = chunk.start;
  let movedAt = timing.now();
  let settled = false;
  let polling = false;
  const poll = setInterval(() => {
    if (polling || !protocol.pollsWhileSending) return;
    polling = true;
    // A progress poll: a plain status would stop the very append it measures.
    protocol.progress(upload, AbortSignal.any([request.signal, AbortSignal.timeout(POLL_TIMEOUT_MS)])).then((held) => {
      if (settled) return;
      // Progress shows what arrived; the bytes count once their digest is checked at the end of the chunk.
      const arrived = held.received ?? held.offset;
      if (arrived > best) {
        best = arrived;
        movedAt = timing.now();
        onProgress(best);
      } else if (timing.now() - movedAt > (timing.noProgressMs ?? NO_PROGRESS_MS)) {
        abort(); // the server has seen nothing new for too long: a stalled connection
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
