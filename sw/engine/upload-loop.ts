// One upload's resumable loop (DESIGN §2): an explicit while over the state union.
// Probe the server, send Blob slices from its offset, take the offset from every
// answer, back off on network errors and 5xx, fail on any other 4xx.
import { Header, type UploadRecord, type UploadState } from '../../common/protocol.js';
import { NetworkError, ServerError, type AppendAnswer, type FileFacts, type ProtocolClient } from './http.js';
import { ChunkReader, SourceChanged } from './chunk-reader.js';
import { Integrity } from './integrity.js';
import type { SavedDigest } from './running-digest.js';
import { backoffMs, chunkDeadlineMs, classify, failureMessage, FIRST_CHUNK, nextChunkSize, NO_PROGRESS_MS, RateMeter } from './policy.js';

// Whole-file mismatches in a row before we stop and say so, rather than send forever.
const MAX_VERIFICATION_FAILURES = 3;
/** Status polls during a chunk: cheap for the server (no sync under a Content-Digest), and the bar's only source of truth. */
const POLL_INTERVAL_MS = 500;

/** States in which an upload wants the network. */
export const RUNNABLE: ReadonlySet<UploadState> = new Set(['queued', 'uploading', 'waiting-for-network']);

export interface LoopStore {
  get(id: string): Promise<UploadRecord | undefined>;
  file(id: string): Promise<Blob | undefined>;
  /** Merge `patch` only while the record is still runnable, so a pause or cancel is never overwritten. */
  updateRunnable(id: string, patch: Partial<UploadRecord>): Promise<UploadRecord | undefined>;
  dropFile(id: string): Promise<void>;
}

export interface LoopDeps {
  http: ProtocolClient;
  store: LoopStore;
  /** The File to read: the one just handed over while IndexedDB still stores it, else the stored one. */
  fileFor(id: string): Promise<Blob | undefined>;
  /** Send Content-Digest and Repr-Digest (default true). */
  digests?: boolean;
  now(): number;
  /**
   * Resolve after `ms`, or sooner when a page reports `online` or `signal` aborts; at once if
   * a page reported `online` after `since` (the failed attempt began before the network came back).
   */
  sleep(ms: number, signal: AbortSignal, since: number): Promise<void>;
  /** Tell the pages: the record as saved and the measured rate in bytes/s. */
  report(record: UploadRecord, rate: number): void;
  random?: () => number;
  pollIntervalMs?: number;
  statusTimeoutMs?: number;
  chunkDeadline?: (bytes: number, rate: number) => number;
  noProgressMs?: number;
}

export async function runUpload(id: string, deps: LoopDeps, signal: AbortSignal): Promise<void> {
  let record = await deps.store.get(id);
  if (!record || !RUNNABLE.has(record.state)) return;
  const file = await deps.fileFor(id);
  const meter = new RateMeter();
  const save = async (patch: Partial<UploadRecord>) => {
    record = (await deps.store.updateRunnable(id, patch)) ?? record!;
    deps.report(record, meter.bytesPerSecond);
  };
  if (!file) {
    await save({ state: 'failed', message: 'This file is no longer stored in the browser. Pick it again to upload it.' });
    return;
  }
  if (file instanceof File && (file.size !== record.size || file.lastModified !== record.lastModified)) {
    await save({ state: 'failed', message: SourceChanged.sentence });
    return;
  }

  const facts: FileFacts = { id, size: record.size, name: record.name, type: record.type };
  const integrity = await Integrity.start(file, record.hashState && record.hashedTo !== undefined ? { state: record.hashState, at: record.hashedTo } : undefined);
  const digestPatch = (): Partial<UploadRecord> => {
    const saved = integrity.save();
    return { hashState: saved.state, hashedTo: saved.at };
  };
  const digestsOn = deps.digests ?? true;
  const reader = new ChunkReader(file);
  // The file digest as it was before a chunk now in flight, to go back to if the server does not confirm it.
  let speculation: SavedDigest | undefined;
  let verificationFailures = record.verificationFailures ?? 0;
  let verified = false;
  let chunk = FIRST_CHUNK;
  let failures = record.failures;
  // The server's offset, learnt this run. Undefined means ask: never resume from the saved one (DESIGN §3).
  let offset: number | undefined;
  let state: UploadState = record.state === 'waiting-for-network' ? 'waiting-for-network' : 'uploading';
  // When the attempt that failed began: an `online` after it means the network may be back already.
  let attemptAt = deps.now();

  while (state === 'uploading' || state === 'waiting-for-network') {
    if (signal.aborted) return;
    if (state === 'waiting-for-network') {
      await deps.sleep(Math.max(0, (record.retryAt ?? 0) - deps.now()), signal, attemptAt);
      state = 'uploading';
      continue;
    }
    try {
      attemptAt = deps.now();
      if (offset === undefined) {
        // A plain status: the server stops our own cut append if it has not noticed the cut yet,
        // keeps what it received, and answers an offset our next append is accepted at.
        const held = await deps.http.status(id, withTimeout(signal, deps.statusTimeoutMs ?? 15_000));
        offset = held.offset;
        meter.restart();
        meter.sample(deps.now(), offset);
        if (held.complete) {
          state = 'done';
          continue;
        }
        await save({ state: 'uploading', offset, message: undefined, retryAt: undefined });
      }
      const start = offset;
      // Read to hash only; the request still sends the Blob slice (DESIGN §3: 25× faster than a buffer).
      const prepared = digestsOn ? await reader.take(start, Math.min(facts.size, start + chunk)) : undefined;
      const end = prepared?.end ?? Math.min(facts.size, start + chunk);
      const bytes = prepared?.bytes ?? new Uint8Array(0);
      const isLast = end === facts.size;
      const digests: Record<string, string> = {};
      if (prepared) {
        digests[Header.contentDigest] = prepared.contentDigest;
        if (isLast) {
          await integrity.advanceTo(start);
          digests[Header.reprDigest] = integrity.reprDigestWith(bytes);
        }
      }
      const sending = sendChunk(deps, facts, prepared?.body ?? file.slice(start, end), start, meter, signal, digests, (polled) => {
        meter.sample(deps.now(), polled);
        void save({ offset: polled });
      });
      sending.catch(() => undefined); // observed below, after the overlapped work
      if (prepared && !isLast) {
        // While the chunk travels: read the next one, bring the file digest up to this one's start (after
        // a resume the server may hold bytes we never hashed), and advance it as if it will be confirmed.
        // The read comes first: it runs in the browser and WebCrypto's threads while hash-wasm holds this one.
        // Sized as the next chunk will be at the rate measured so far: the chunk read ahead is the one sent.
        reader.readAhead(end, Math.min(facts.size, end + nextChunkSize(meter.bytesPerSecond, chunk)));
        await integrity.advanceTo(start);
        speculation = integrity.save();
        await integrity.advanceTo(end, { start, bytes });
      }
      const answer = await sending;
      if (speculation && !((answer.kind === 'ok' || answer.kind === 'conflict') && answer.offset === end)) {
        await integrity.restore(speculation);
      }
      speculation = undefined;
      switch (answer.kind) {
        case 'ok':
        case 'conflict':
          if (answer.offset > start) failures = 0; // progress resets the backoff
          offset = answer.offset;
          meter.sample(deps.now(), offset);
          chunk = nextChunkSize(meter.bytesPerSecond, chunk);
          if (answer.complete) {
            verified = digestsOn && end === facts.size; // the request that completed it carried our Repr-Digest
            state = 'done';
            continue;
          }
          if (digestsOn) await integrity.advanceTo(offset, { start, bytes });
          await save({ offset, failures, ...(digestsOn ? digestPatch() : {}) });
          break;
        case 'corrupted':
          // The server dropped a body that arrived damaged; send it again from its offset.
          offset = answer.offset;
          await save({ corruptedChunks: (record.corruptedChunks ?? 0) + 1 });
          break;
        case 'reset':
          // The whole file did not match what we hashed: the server emptied it, so send it all again.
          verificationFailures += 1;
          integrity.reset();
          offset = 0;
          if (verificationFailures > MAX_VERIFICATION_FAILURES) {
            state = 'failed';
            await save({ state, verificationFailures, message: 'The file kept failing verification on the server, so it was not stored. Check the connection and press Retry now.' });
            break;
          }
          await save({
            offset: 0,
            verificationFailures,
            message: verificationFailures === 1 ? 'Verification failed, re-sending.' : `Verification failed ${verificationFailures} times, re-sending.`,
            ...digestPatch(),
          });
          break;
        case 'fatal':
          state = 'failed';
          await save({ state, message: failureMessage(answer.status, answer.reason, answer.limit) });
          break;
        case 'retry':
          throw new ServerError(answer.status, answer.reason);
      }
    } catch (error) {
      if (speculation) await integrity.restore(speculation);
      speculation = undefined;
      reader.drop();
      if (signal.aborted) return;
      if (error instanceof SourceChanged) {
        state = 'failed';
        await save({ state, message: error.message });
        continue;
      }
      if (error instanceof ServerError && classify(error.status) === 'fatal') {
        state = 'failed';
        await save({ state, message: failureMessage(error.status, error.message) });
        continue;
      }
      if (!(error instanceof NetworkError || error instanceof ServerError)) throw error;
      failures += 1;
      offset = undefined;
      // Start small again: the first byte after a cut waits for its chunk to be read and
      // hashed (64 MiB took ~0.3 s), and the link may not be what it was. It regrows 4× a step.
      chunk = FIRST_CHUNK;
      const delay = backoffMs(failures, deps.random?.());
      state = 'waiting-for-network';
      await save({ state, failures, retryAt: deps.now() + delay, message: waitingMessage(error) });
    }
  }

  if (state === 'done') {
    await save({ state: 'done', offset: facts.size, failures: 0, completedAt: deps.now(), message: doneMessage(verified, record.corruptedChunks ?? 0), retryAt: undefined });
    // The server has every byte; the browser's copy is no longer needed (the record stays).
    await deps.store.dropFile(id);
  }
}

/**
 * POST one slice. While it is in flight, poll the server's offset twice a second
 * so the bar stays within a second of the server on slow links, and abort the request when the server
 * stops seeing bytes or the chunk overruns its deadline.
 */
async function sendChunk(
  deps: LoopDeps,
  facts: FileFacts,
  body: Blob,
  start: number,
  meter: RateMeter,
  signal: AbortSignal,
  headers: Record<string, string>,
  onProgress: (offset: number) => void,
): Promise<AppendAnswer> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal.addEventListener('abort', abort);
  const deadline = setTimeout(abort, (deps.chunkDeadline ?? chunkDeadlineMs)(body.size, meter.bytesPerSecond));
  let best = start;
  let movedAt = deps.now();
  let settled = false;
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    // A progress poll: a plain status would stop the very append it measures.
    deps.http.status(facts.id, withTimeout(request.signal, 5000), true).then((held) => {
      if (settled) return;
      // Progress shows what arrived; the bytes count once their digest is checked at the end of the chunk.
      const arrived = held.received ?? held.offset;
      if (arrived > best) {
        best = arrived;
        movedAt = deps.now();
        onProgress(best);
      } else if (deps.now() - movedAt > (deps.noProgressMs ?? NO_PROGRESS_MS)) {
        abort(); // the server has seen nothing new for too long: a stalled connection
      }
    }, () => undefined).finally(() => (polling = false));
  }, deps.pollIntervalMs ?? POLL_INTERVAL_MS);
  try {
    return await deps.http.append(facts, start, body, request.signal, headers);
  } finally {
    settled = true;
    clearInterval(poll);
    clearTimeout(deadline);
    signal.removeEventListener('abort', abort);
  }
}

function doneMessage(verified: boolean, corrupted: number): string | undefined {
  if (!verified) return undefined;
  const caught = corrupted === 0 ? '' : ` ${corrupted} damaged ${corrupted === 1 ? 'chunk was' : 'chunks were'} caught and sent again.`;
  return `Verified: the server's copy matches this file byte for byte.${caught}`;
}

function withTimeout(signal: AbortSignal, ms: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(ms)]);
}

function waitingMessage(error: NetworkError | ServerError): string {
  if (error instanceof ServerError) return `The server is unavailable (HTTP ${error.status}).`;
  return 'Waiting for the network.';
}
