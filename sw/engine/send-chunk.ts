// One append on its way: POST the slice, and while it travels poll the server's offset
// twice a second, so the bar stays within a second of the server on slow links, and
// abort the request when the server stops seeing bytes or the chunk overruns its deadline.
import type { AppendAnswer, FileFacts, ProtocolClient } from './http.js';
import { chunkDeadlineMs, NO_PROGRESS_MS } from './policy.js';

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
  facts: FileFacts;
  start: number;
  body: Blob;
  headers: Record<string, string>;
  /** The confirmed rate so far, bytes/s: it sets the chunk's deadline. */
  rate: number;
}

/** Send `chunk`; `onProgress` hears every offset the server reports during it. Throws like ProtocolClient.append. */
export async function sendChunk(http: ProtocolClient, timing: ChunkTiming, chunk: Chunk, signal: AbortSignal, onProgress: (offset: number) => void): Promise<AppendAnswer> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal.addEventListener('abort', abort);
  const deadline = setTimeout(abort, (timing.chunkDeadline ?? chunkDeadlineMs)(chunk.body.size, chunk.rate));
  let best = chunk.start;
  let movedAt = timing.now();
  let settled = false;
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    // A progress poll: a plain status would stop the very append it measures.
    http.status(chunk.facts.id, AbortSignal.any([request.signal, AbortSignal.timeout(POLL_TIMEOUT_MS)]), true).then((held) => {
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
    return await http.append(chunk.facts, chunk.start, chunk.body, request.signal, chunk.headers);
  } finally {
    settled = true;
    clearInterval(poll);
    clearTimeout(deadline);
    signal.removeEventListener('abort', abort);
  }
}
