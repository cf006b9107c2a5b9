// Appending a body to an upload, whichever protocol asked (the Ferry protocol, tus, the IETF
// draft): one writer at a time, the exact-offset rule, limits and quotas before the body is
// invited, bytes made durable before they are acknowledged, digests checked, and completion.
// Each protocol's route reads its own headers into an AppendSpec and writes its own answer;
// the errors thrown here are the Ferry protocol's, which the other routes translate.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header, Problem, type CompletedFile } from '../common/protocol.js';
import { BodyTap } from './body-tap.js';
import { uploadKey, type AppContext, type LogFields } from './context.js';
import { checkAppend, settle, stopped, tooLarge } from './append-rules.js';
import { AppendRefused, HttpError, ProblemError } from './errors.js';
import { askToCreate } from './hooks.js';
import { ownerIdOf } from './identity.js';
import { runningHash, type HashAlgorithm, type RunningHash } from './hash-thread.js';
import type { AppendHeaders } from './headers.js';
import type { Protocol } from './metrics.js';
import type { BodyBudget } from './quota-ledger.js';
import { admitAppend } from './quota.js';
import { keepPromise } from './upload-resource.js';
import { receiveBody, type BodyOutcome } from './receive-body.js';
import { inviteBody } from './respond.js';
import { DigestMismatch, type OpenUpload } from './store/port.js';
import type { Lease } from './writers.js';

export interface AppendSpec extends AppendHeaders {
  /** The digest the client sent for this body: a Content-Digest, or a tus Upload-Checksum. */
  bodyDigest?: { algorithm: HashAlgorithm; expected: Buffer };
  /** The whole file's SHA-256 (Repr-Digest), checked when this append completes the upload. */
  reprDigest?: Buffer;
  /** The SHA-256 of the client's bytes from the store's checked offset to `start` (X-Checked-Digest). */
  checkedDigest?: Buffer;
  /** The client says this append ends the upload: its size is the offset after it (IETF Upload-Complete). */
  completes?: boolean;
  /** Refuse (404) rather than create an upload the store does not know (a tus PATCH, say). */
  mustExist?: boolean;
  /** Which protocol asked, for the metrics (the Ferry protocol when absent). */
  protocol?: Protocol;
  /** The client's metadata (tus Upload-Metadata), for the host's hooks. */
  metadata?: Record<string, string>;
  /** A new upload whose address its client learns only from a success: on any failure, nothing of it is kept. */
  creates?: boolean;
  /** Called once the upload exists, before its body is read (the IETF draft's 104 with its Location); true when the client was told. */
  announce?: () => boolean;
  /** The headers that carry the start and the size in this protocol, for the reasons given back. */
  words?: { start: string; size: string };
}

export interface Appended {
  offset: number;
  size: number | undefined;
  complete: boolean;
  file?: CompletedFile;
}

export async function appendBody(ctx: AppContext, req: IncomingMessage, res: ServerResponse, request: AppendSpec, log: LogFields): Promise<Appended> {
  Object.assign(log, { id: request.id, start: request.start });
  const protocol = request.protocol ?? 'ferry';
  // From here on the body is read at once, whatever the awaits below wait for (a bearer token's lookup too).
  const tap = new BodyTap(req);
  let releaseSlot: (() => void) | undefined;
  let lease: Lease | undefined;
  let upload: OpenUpload | undefined;
  let bodyHash: RunningHash | undefined;
  let budget: BodyBudget | undefined;
  let owner: string | undefined;
  let completed = false;
  let answered = false;
  let named = !request.creates;
  try {
    owner = await ctx.identify(req, res);
    releaseSlot = ctx.slots.take(owner, request.id);
    lease = await ctx.writers.acquire(uploadKey(owner, request.id));
    let held = await ctx.store.held(owner, request.id);
    const kept = await keepPromise(ctx, owner, request.id, request.start, held, lease.fence);
    if (kept) log.droppedAfterStatus = held.offset - request.start;
    held = kept ?? held;
    if (lease.superseded.aborted) throw stopped(lease, held);
    if (request.mustExist && held.unknown) throw new HttpError(404, 'no such upload (never created, cancelled, or expired)');
    if (held.unknown) await askToCreate(ctx.hooks, req, owner, { id: request.id, name: request.name, size: request.size, type: request.type, metadata: request.metadata ?? {} }, ctx.log, log);
    const restart = request.start === 0 && held.offset > 0 && !request.noRestart;
    const size = checkAppend(request, held, restart);
    const sizeLimit = Math.min(size ?? Infinity, ctx.config.maxUploadBytes);
    // "Bytes beyond X-File-Size, or beyond the server's maximum upload size, are 413."
    if ((size ?? 0) > ctx.config.maxUploadBytes || (request.contentLength !== undefined && request.start + request.contentLength > sizeLimit)) {
      throw tooLarge(request, size, ctx.config.maxUploadBytes, held);
    }
    const fence = lease.fence;
    const admitted = await admitAppend(ctx, owner, request, held, size, restart, () => {
      // "Expect: 100-continue": the body is invited only once it would be taken.
      inviteBody(req, res);
      return ctx.store.open(owner!, request.id, { size, name: request.name, type: request.type, ...(request.metadata ? { metadata: request.metadata } : {}) }, restart, fence);
    });
    ({ upload, budget } = admitted);
    // A creation whose client was told where it is keeps what it received, like any other append.
    if (request.announce?.()) named = true;
    if (held.unknown) ctx.metrics.uploadsCreated.inc({ protocol });
    const quotaRoom = admitted.room;
    const limit = Math.min(sizeLimit, quotaRoom);
    const startedAt = upload.offset;
    let refusedAt = request.checkedDigest ? await checkCutBytes(upload, request.checkedDigest) : undefined;
    lease.writer = { durableOffset: durableOffsetOf(upload, refusedAt ?? (request.bodyDigest ? startedAt : undefined)) };
    bodyHash = request.bodyDigest ? runningHash(request.bodyDigest.algorithm, owner) : undefined;
    const minRate = { bytesPerSecond: ctx.config.minBodyRate, windowMs: MIN_RATE_WINDOW_MS };
    let outcome: BodyOutcome = await receiveBody(req, tap, upload, { limit, ...(budget ? { budget } : {}) }, lease, minRate, bodyHash);
    log.bytes = upload.offset - startedAt;
    ctx.metrics.bytesReceived.inc(Math.max(0, log.bytes));
    // A refused proof is answered once the body is read, so the client gets the problem and not a
    // reset connection (issue 32): the unproven bytes and this body behind them are dropped.
    if (refusedAt !== undefined) refusedAt = await dropUnproven(upload, refusedAt);
    // A body of no stated length that ran into the owner's quota, not the size, says so (issue 28, L3).
    if (outcome.kind === 'too-large' && quotaRoom < sizeLimit) outcome = { kind: 'past-quota' };
    await settle(outcome, upload, startedAt, request, ctx, lease, log);
    if (refusedAt !== undefined) throw cutBytesRefused(refusedAt, log);
    if (request.bodyDigest && !(await bodyHash!.digest()).equals(request.bodyDigest.expected)) {
      // "On a mismatch, those bytes are dropped and the held offset is unchanged."
      await upload.truncate(startedAt);
      throw new ProblemError(400, Problem.contentDigestMismatch, 'Content-Digest mismatch',
        `the body does not match its ${request.bodyDigest.algorithm === 'sha256' ? Header.contentDigest : 'checksum'}; its bytes were dropped`, startedAt);
    }
    // Every byte before this body was checked, and so was the body: the checked mark moves past it.
    if (request.bodyDigest?.algorithm === 'sha256' && upload.markChecked && upload.checked === startedAt) await upload.markChecked(upload.offset);
    // The client says the upload ends here: from now on its size is what it holds.
    if (request.completes && upload.size === undefined) upload = await declareSize(ctx, owner, request, upload, lease);
    // A last append (a chunked one: with Content-Length this was refused up front) that ended short of the size (issue 28, L5).
    if (request.completes && upload.size !== undefined && upload.offset !== upload.size) {
      throw new AppendRefused('length-mismatch', 400, `this append said it was the last, but ended at ${upload.offset}, which disagrees with the upload's length ${upload.size}`, upload.offset);
    }

    const complete = upload.size !== undefined && upload.offset === upload.size;
    completed = complete;
    let file: CompletedFile | undefined;
    if (complete) {
      // The host's onUploadFinish is promised before the upload completes, and told once it has.
      const finishing = await ctx.finish?.intend(owner, ownerIdOf(req, owner), request.id);
      file = await completeVerified(upload, request.reprDigest);
      if (finishing) ctx.finish!.deliver(finishing);
      Object.assign(log, { sha256: file.sha256, verified: file.verified });
      ctx.metrics.uploadsCompleted.inc({ protocol });
      ctx.metrics.bytesKept.inc(file.size);
    }
    log.offset = upload.offset;
    // The client heard of these bytes: no status's promise reaches back past them any more.
    await ctx.writers.endPromise(uploadKey(owner, request.id));
    answered = true;
    return { offset: upload.offset, size: upload.size, complete, ...(file ? { file } : {}) };
  } catch (error) {
    ctx.metrics.appendsFailed.inc({ protocol, status: String(error instanceof HttpError ? error.status : 500) });
    throw error;
  } finally {
    tap.release();
    bodyHash?.dispose();
    await budget?.release();
    if (lease) lease.writer = undefined;
    await upload?.close().catch(() => undefined);
    // A creation that fails keeps nothing, still under the lock: its client never learnt where it is (issue 28, M3).
    if (!named && !answered && upload && owner !== undefined) await ctx.store.remove(owner, request.id).catch((error: unknown) => ctx.log.warn({ err: error, id: request.id }, 'a failed creation was not removed'));
    lease?.release();
    releaseSlot?.();
    // Bytes moved (or the upload ended): the owner's worker needs no push for a while.
    if (owner !== undefined && upload !== undefined && (named || answered)) ctx.push?.wakeups.appended(owner, request.id, completed);
  }
}

/**
 * A client's proof of the bytes a cut body left past the checked offset (X-Checked-Digest): a match
 * counts them as checked; a mismatch returns the checked offset, where the upload goes back to once
 * this request's body is read, and the client resends from there.
 */
async function checkCutBytes(upload: OpenUpload, expected: Buffer): Promise<number | undefined> {
  const checked = upload.checked;
  if (checked === undefined || !upload.markChecked || !upload.hashStored || checked >= upload.offset) return undefined;
  if ((await upload.hashStored(checked, upload.offset)).equals(expected)) {
    await upload.markChecked(upload.offset);
    return undefined;
  }
  return checked;
}

/**
 * Drop the bytes past the checked mark, and tell where the upload now ends. On S3, unproven bytes in
 * parts committed before this request cannot be taken back: the upload starts over (the client still
 * has every byte; a proof is refused only when bytes were damaged, which is rare).
 */
async function dropUnproven(upload: OpenUpload, checked: number): Promise<number> {
  if (!upload.canTruncateTo || upload.canTruncateTo(checked) || !upload.startOver) {
    await upload.truncate(checked);
    return checked;
  }
  await upload.startOver();
  return upload.offset;
}

function cutBytesRefused(checked: number, log: LogFields): ProblemError {
  log.outcome = 'cut-bytes-mismatch';
  return new ProblemError(409, Problem.checkedDigestMismatch, 'X-Checked-Digest mismatch', `the bytes past ${checked} do not match ${Header.checkedDigest}; they were dropped, resume from ${checked}`, checked);
}

/** Reopen `upload` with its size set to what it holds (after an append that said it was the last). */
async function declareSize(ctx: AppContext, owner: string, request: AppendSpec, upload: OpenUpload, lease: Lease): Promise<OpenUpload> {
  const offset = upload.offset;
  await upload.close();
  return ctx.store.open(owner, request.id, { size: offset, name: request.name, type: request.type }, false, lease.fence);
}

/** Bodies slower than MIN_BODY_RATE over this long are closed. */
const MIN_RATE_WINDOW_MS = 20_000;

/**
 * The live append's offsets for status. Bytes under a Content-Digest count only once
 * verified, and the verified offset is already durable: only an append without one
 * needs a sync before its offset is promised.
 */
function durableOffsetOf(upload: OpenUpload, verifiedUntilEnd: number | undefined): () => Promise<{ verified: number; received: number }> {
  // Progress polls share one recent sync: hundreds of them in a second cost one fdatasync, and each
  // reports what that sync made durable (a quarter of a second behind at most).
  let recent: { at: number; synced: Promise<number> } | undefined;
  return async () => {
    if (verifiedUntilEnd !== undefined) return { verified: verifiedUntilEnd, received: upload.offset };
    if (!recent || performance.now() - recent.at > SHARED_SYNC_MS) {
      const offset = upload.offset;
      recent = { at: performance.now(), synced: upload.sync().then(() => offset) };
    }
    const synced = await recent.synced;
    return { verified: synced, received: synced };
  };
}

/** How long one sync serves the progress polls that follow it. */
const SHARED_SYNC_MS = 250;

/** A whole-file digest that does not match empties the upload: it restarts from 0 and is never listed. */
async function completeVerified(upload: OpenUpload, reprDigest: Buffer | undefined): Promise<CompletedFile> {
  try {
    return await upload.complete(reprDigest);
  } catch (error) {
    if (!(error instanceof DigestMismatch)) throw error;
    throw new ProblemError(400, Problem.reprDigestMismatch, 'Repr-Digest mismatch',
      `the file's bytes do not match its ${Header.reprDigest} (${error.message}); the upload was reset to 0, send it again`, 0);
  }
}
