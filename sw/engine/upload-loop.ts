// One upload's resumable loop (docs/design.md §2.2): an explicit while over the state union.
// Probe the server, send Blob slices from its offset, take the offset from every answer;
// every failure goes through one function (afterFailure) to the next state.
import { RUNNABLE, type UploadState } from '../../common/messages.js';
import type { UploadRecord } from './record.js';
import { ChunkReader } from './chunk-reader.js';
import { devLog } from './dev-log.js';
import { UploadGone } from './errors.js';
import { Integrity } from './integrity.js';
import { afterFailure, FIRST_CHUNK, MAX_CHUNK, nextChunkSize, RateMeter, UNPOLLED_CHUNK_SECONDS } from './policy.js';
import { uploadRefOf, type Held } from './protocols/port.js';
import { sendChunk } from './send-chunk.js';
import { ALREADY_THERE, chunkEnd, doneNotice, RECONNECTING, STARTED_OVER } from './run-ending.js';
import type { LoopDeps, RunSource } from './loop-deps.js';

export type { LoopDeps, RunSource } from './loop-deps.js';

// Whole-file mismatches in a row before we stop and say so, rather than send forever.
const MAX_VERIFICATION_FAILURES = 3;
// A tus or IETF server that forgets the upload this many times in a row, with nothing accepted between, is not keeping it.
const MAX_STARTS_OVER = 3;

/** Run an upload until done, failed or stopped. */
export async function runUpload(source: RunSource, deps: LoopDeps, signal: AbortSignal): Promise<void> {
  const { file, handed } = source;
  let record = source.record;
  const { id } = record;
  if (!RUNNABLE.has(record.state)) return;
  const meter = new RateMeter();
  // Shown to pages but not written yet: it goes with the next save.
  let unsaved: Partial<UploadRecord> = {};
  const save = async (patch: Partial<UploadRecord>, dropFile = false) => {
    const merged = { ...unsaved, ...patch };
    unsaved = {};
    record = (await deps.store.updateRunnable(id, merged, dropFile)) ?? record!;
    deps.report(record, meter.bytesPerSecond);
  };
  /** Show pages `patch` at once, and write it with the next save: nothing in it needs to outlive this worker. */
  const show = (patch: Partial<UploadRecord>) => {
    unsaved = { ...unsaved, ...patch };
    record = { ...record!, ...patch };
    deps.report(record, meter.bytesPerSecond);
  };
  if (!file) {
    await save({ state: 'failed', final: true, notice: { key: 'notice.noLongerStored' } });
    return;
  }
  if (file instanceof File && (file.size !== record.size || file.lastModified !== record.lastModified)) {
    await save({ state: 'failed', final: true, notice: { key: 'notice.sourceChanged' } }, true);
    return;
  }

  const { protocol } = deps;
  const upload = uploadRefOf(record);
  const { facts } = upload;
  const chunkSeconds = protocol.pollsWhileSending ? undefined : UNPOLLED_CHUNK_SECONDS;
  const integrity = new Integrity(file, record.hashState && record.hashedTo !== undefined ? { state: record.hashState, at: record.hashedTo } : undefined);
  const digestPatch = (): Partial<UploadRecord> => {
    const saved = integrity.save();
    return { hashState: saved?.state, hashedTo: saved?.at };
  };
  let digestsOn = deps.digests ?? true;
  let goneInARow = 0;
  const reader = new ChunkReader(file);
  let verificationFailures = record.verificationFailures ?? 0;
  let verified = false;
  // A file the server already had before we sent any byte of it says so when it is done.
  let sentAny = record.offset > 0;
  let chunk = FIRST_CHUNK;
  let failures = record.failures;
  // The server's offset, learnt this run. Undefined means ask: never resume from the saved one (docs/design.md §3.10).
  let offset: number | undefined;
  let state: UploadState = record.state === 'waiting-for-network' ? 'waiting-for-network' : 'uploading';
  // When the attempt that failed began: an `online` after it means the network may be back already.
  let attemptAt = deps.now();
  let saving: Promise<void> = Promise.resolve();
  let sentUnhashed = false;
  /**
   * The chunk after one of `current` bytes, planned while that one travels: by the faster of the smoothed
   * rate and the last answer's (the smoothed one lags a link whose first chunk was slow: 10 appends for
   * 256 MiB at 40 MB/s instead of 7). With no rate yet, four times `current` where the server is polled.
   */
  const plannedAfter = (current: number): number => {
    const rate = Math.max(meter.bytesPerSecond, meter.latest);
    return rate > 0 || !protocol.pollsWhileSending ? nextChunkSize(rate, current, chunkSeconds) : Math.min(MAX_CHUNK, current * 4);
  };

  while (state === 'uploading' || state === 'waiting-for-network') {
    if (signal.aborted) return;
    if (state === 'waiting-for-network') {
      await deps.sleep(Math.max(0, (record.retryAt ?? 0) - deps.now()), signal, attemptAt);
      state = 'uploading';
      // Said at once: a row kept "Retrying in 11 sec." for the whole status round trip after `online`.
      if (!signal.aborted) show({ state, notice: RECONNECTING, retryAt: undefined });
      continue;
    }
    try {
      attemptAt = deps.now();
      if (offset === undefined) {
        // A plain status: the server stops our own cut append if it has not noticed the cut yet,
        // keeps what it received, and answers an offset our next append is accepted at.
        const asking = AbortSignal.any([signal, AbortSignal.timeout(deps.statusTimeoutMs ?? 15_000)]);
        if (digestsOn) digestsOn = await protocol.wantsDigests(asking);
        // A file that fits in one first chunk is created with its bytes: an upload not created yet holds
        // nothing, so it is sent from 0. (A larger file keeps its URL before its bytes go: a cut creating
        // request would leave bytes on the server under a URL we never learnt, and cost them again.)
        const creating = upload.url === undefined && facts.size <= FIRST_CHUNK && ((await protocol.createsWithFirstAppend?.(asking, digestsOn)) ?? false);
        const held: Held = creating ? { offset: 0, complete: false } : await protocol.status(upload, asking);
        offset = held.offset;
        // A cut leaves at most one chunk unchecked; more (bytes sent before the server kept the mark) is
        // not proven in one read: this run keeps the whole-file digest instead.
        integrity.checked = digestsOn && held.checked !== undefined && held.offset - held.checked <= MAX_CHUNK ? held.checked : undefined;
        devLog(id, 'the server holds', { offset, complete: held.complete, url: held.url });
        if (held.url !== undefined) upload.url = held.url;
        meter.restart();
        meter.sample(deps.now(), offset);
        if (held.complete) {
          state = 'done';
          continue;
        }
        const moving: Partial<UploadRecord> = { state: 'uploading', offset, notice: record.startedOver ? STARTED_OVER : undefined, retryAt: undefined };
        if (held.url === undefined && record.retryAt === undefined) {
          // Nothing to keep (the next run asks the server again): a write less per upload.
          show(moving);
        } else {
          // Written while the first chunk travels (IndexedDB commits in order, so no later save overtakes
          // it). A worker stopped before a new URL is written (or known: a creating append) creates a new
          // upload next time, and sends it all again.
          saving = save({ ...moving, ...(held.url === undefined ? {} : { uploadUrl: held.url }) });
          saving.catch(() => undefined); // observed after the append
        }
      }
      const start = offset;
      // A run's first chunk, to a server that keeps the checked mark with nothing unchecked, goes at once
      // with no digest: the next append proves it (X-Checked-Digest), so the link does not wait for the
      // first read and hash (52 ms of a 40 MB/s upload). Not the last chunk: that one completes the file.
      // Once a run: a refused proof sends the bytes again, with their digests.
      const unhashed: boolean = !sentUnhashed && digestsOn && integrity.mayGoUnhashed(start) && start + chunk < facts.size && !reader.hasAhead(start);
      sentUnhashed ||= unhashed;
      // Read to hash only; the request still sends the Blob slice (docs/design.md §3.1: 25× faster than a buffer).
      const prepared = digestsOn && !unhashed ? await reader.take(start, chunkEnd(start, chunk, facts.size, integrity.wholeFile)) : undefined;
      const end = prepared?.end ?? Math.min(facts.size, start + chunk);
      // Growth is from what is sent: a chunk read ahead before the rate was known may be smaller than planned.
      if (end < facts.size) chunk = end - start;
      const isLast = end === facts.size;
      if (unhashed) integrity.beginUnhashed(start, end);
      const headers = prepared ? await integrity.begin(prepared, isLast) : {};
      // A whole file goes as it is: slicing a picked File costs a synchronous stat (1.2 ms a file in a batch of photos).
      const body = prepared?.body ?? (start === 0 && end === facts.size ? file : file.slice(start, end));
      // The notice a stall covers, given back when bytes move again.
      let beforeStall: UploadRecord['notice'] | null = null;
      const sending = sendChunk(protocol, deps, upload, { start, body, headers, rate: meter.bytesPerSecond }, signal, {
        progress: (polled) => {
          meter.sample(deps.now(), polled);
          const patch: Partial<UploadRecord> = beforeStall === null ? { offset: polled } : { offset: polled, notice: beforeStall };
          beforeStall = null;
          void save(patch);
        },
        stalled: () => {
          beforeStall = record.notice;
          show({ notice: RECONNECTING });
        },
      });
      sending.catch(() => undefined); // observed below, after the overlapped work
      if (digestsOn && !isLast) {
        // While the chunk travels: read the next one (in the browser's and WebCrypto's threads), then
        // run the file digest ahead in hash-wasm. The read-ahead is sized as the next chunk will be.
        reader.readAhead(end, chunkEnd(end, plannedAfter(chunk), facts.size, integrity.wholeFile));
        await integrity.runAhead();
      }
      const answer = await sending;
      if (beforeStall !== null) show({ notice: beforeStall });
      await saving;
      sentAny = true;
      devLog(id, `append ${start}-${end}: ${answer.kind}`, answer);
      await integrity.settle(answer.kind === 'ok' || answer.kind === 'conflict' ? answer.offset : undefined);
      switch (answer.kind) {
        case 'ok':
        case 'conflict':
          // A conflict may also be a proof of cut bytes refused: ask where the checked bytes end.
          if (answer.kind === 'conflict' && !integrity.wholeFile) {
            offset = undefined;
            break;
          }
          // tus and the IETF draft say "wrong offset" without saying the right one: ask.
          offset = answer.offset;
          if (offset === undefined) break;
          if (offset > start) {
            failures = 0; // progress resets the backoff
            goneInARow = 0;
          }
          meter.sample(deps.now(), offset);
          chunk = plannedAfter(chunk);
          if (answer.complete) {
            // The server says whether it verified the file (by our Repr-Digest, or every chunk's digest);
            // else: the request that completed it carried our Repr-Digest, and this server checks it.
            const said = answer.kind === 'ok' ? answer.verified : undefined;
            verified = said ?? (integrity.wholeFile && digestsOn && isLast && protocol.verifiesFile);
            state = 'done';
            continue;
          }
          if (answer.kind === 'ok' && answer.url !== undefined) upload.url = answer.url;
          // Written while the next chunk travels: the link does not wait for IndexedDB between chunks.
          saving = save({ offset, failures, ...(digestsOn ? digestPatch() : {}), ...(upload.url === undefined ? {} : { uploadUrl: upload.url }) });
          saving.catch(() => undefined); // observed after the next append
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
            await save({ state, verificationFailures, notice: { key: 'notice.verificationGaveUp' } });
            break;
          }
          await save({
            offset: 0,
            verificationFailures,
            notice: { key: 'notice.verificationFailed', params: { count: verificationFailures } },
            ...digestPatch(),
          });
          break;
      }
    } catch (error) {
      await saving.catch(() => undefined);
      await integrity.settle(undefined);
      reader.drop();
      if (signal.aborted) return;
      if (error instanceof UploadGone && upload.url !== undefined) {
        // Expired or removed on a tus or IETF server: create it again and send it all.
        goneInARow += 1;
        delete upload.url;
        integrity.reset();
        offset = undefined;
        chunk = FIRST_CHUNK;
        const startedOver = (record.startedOver ?? 0) + 1;
        devLog(id, 'the server forgot the upload', { status: error.status, startedOver });
        if (goneInARow > MAX_STARTS_OVER) {
          state = 'failed';
          await save({ state, uploadUrl: undefined, notice: { key: 'notice.keptForgetting' } });
          continue;
        }
        await save({ uploadUrl: undefined, offset: 0, startedOver, notice: STARTED_OVER, ...digestPatch() });
        continue;
      }
      // The File handed over may no longer be readable (changed on disk since the pick), but
      // IndexedDB's copy of it, made at the hand-over, is committed now: go on from that copy, once.
      if (handed && deps.useStoredCopy?.(id)) {
        devLog(id, 'going on from the stored copy', { error: String(error) });
        const stored = await deps.store.get(id);
        if (stored) await runUpload({ record: stored, file: await deps.store.file(id), handed: false }, deps, signal);
        return;
      }
      const next = afterFailure(error, failures + 1, deps.random?.(), deps.online?.() ?? true);
      devLog(id, `attempt failed: ${next.state}`, { error: String(error), ...next });
      if (next.state !== 'waiting-for-network') {
        state = next.state;
        // A final failure: sending again cannot help, the browser's copy only takes room (the row offers Remove).
        const final = next.state === 'failed' && next.final;
        await save({ state, notice: next.notice, retryAt: undefined, ...(final ? { final } : {}) }, final);
        continue;
      }
      failures += 1;
      offset = undefined;
      // Start small again: the first byte after a cut waits for its chunk to be read and
      // hashed (64 MiB took ~0.3 s), and the link may not be what it was. It regrows 4× a step.
      chunk = FIRST_CHUNK;
      state = 'waiting-for-network';
      await save({ state, failures, retryAt: deps.now() + next.delayMs, notice: next.notice });
    }
  }

  if (state === 'done') {
    deps.finishing?.();
    // The next upload's request goes out first (its way there is all microtasks); this one's word to
    // the pages and its writes wait a task. They went first, and held each photo of a batch 1-3 ms.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const finished: Partial<UploadRecord> = { state: 'done', offset: facts.size, failures: 0, completedAt: deps.now(), notice: sentAny || record.startedOver ? doneNotice(verified, record.corruptedChunks ?? 0, record.startedOver ?? 0) : ALREADY_THERE, retryAt: undefined };
    // Pages see it done once the server has every byte; writing that down, and dropping the browser's
    // copy (no longer needed; the record stays), follows.
    show(finished);
    await save(finished, true);
  }
}
