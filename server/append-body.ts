// Appending a body to an upload, whichever protocol asked (the Ferry protocol, tus, the IETF
// draft): one writer at a time, the exact-offset rule, limits and quotas before the body is
// invited, bytes made durable before they are acknowledged, digests checked, and completion.
// Each protocol's route reads its own headers into an AppendSpec and writes its own answer;
// the errors thrown here are the Ferry protocol's, which the other routes translate.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header, Problem, type CompletedFile } from '../common/protocol.js';
import { BodyTap } from './body-tap.js';
import { uploadKey, type AppContext, type LogFields } from './context.js';
import { HttpError, ProblemError, badRequest, isOutOfDescriptors, isOutOfSpace } from './errors.js';
import { askToCreate } from './hooks.js';
import { ownerIdOf } from './identity.js';
import { runningHash, type HashAlgorithm, type RunningHash } from './hash-thread.js';
import type { AppendHeaders } from './headers.js';
import type { BodyBudget } from './quota-ledger.js';
import { admitAppend, bodyPastQuota } from './quota.js';
import { receiveBody, type BodyOutcome } from './receive-body.js';
import { inviteBody } from './respond.js';
import { DigestMismatch, type Held, type OpenUpload } from './store/port.js';
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
  /** The client's metadata (tus Upload-Metadata), for the host's hooks. */
  metadata?: Record<string, string>;
  /** A new upload whose address its client learns only from a success: on any failure, nothing of it is kept. */
  creates?: boolean;
  /** The headers that carry the start and the size in this protocol, for the reasons given back. */
  words?: { start: string; size: string };
}

const FERRY_WORDS = { start: Header.startByte, size: Header.fileSize };

export interface Appended {
  offset: number;
  size: number | undefined;
  complete: boolean;
  file?: CompletedFile;
}

export async function appendBody(ctx: AppContext, req: IncomingMessage, res: ServerResponse, request: AppendSpec, log: LogFields): Promise<Appended> {
  Object.assign(log, { id: request.id, start: request.start });
  // From here on the body is read at once, whatever the awaits below wait for (a bearer token's lookup too).
  const tap = new BodyTap(req);
  let releaseSlot: (() => void) | undefined;
  let lease: Lease | undefined;
  let upload: OpenUpload | undefined;
  let bodyHash: RunningHash | undefined;
  let budget: BodyBudget | undefined;
  let owner: string | undefined;
  let answered = false;
  try {
    owner = await ctx.identify(req, res);
    releaseSlot = ctx.slots.take(owner, request.id);
    lease = await ctx.writers.acquire(uploadKey(owner, request.id));
    const held = await ctx.store.held(owner, request.id);
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
    const quotaRoom = admitted.room;
    const limit = Math.min(sizeLimit, quotaRoom);
    const startedAt = upload.offset;
    const refusedAt = request.checkedDigest ? await checkCutBytes(upload, request.checkedDigest) : undefined;
    lease.writer = { durableOffset: durableOffsetOf(upload, refusedAt ?? (request.bodyDigest ? startedAt : undefined)) };
    bodyHash = request.bodyDigest ? runningHash(request.bodyDigest.algorithm, owner) : undefined;
    const minRate = { bytesPerSecond: ctx.config.minBodyRate, windowMs: MIN_RATE_WINDOW_MS };
    let outcome: BodyOutcome = await receiveBody(req, tap, upload, { limit, ...(budget ? { budget } : {}) }, lease, minRate, bodyHash);
    log.bytes = upload.offset - startedAt;
    // A refused proof is answered once the body is read, so the client gets the problem and not a
    // reset connection (issue 32): the unproven bytes and this body behind them are dropped.
    if (refusedAt !== undefined) await upload.truncate(refusedAt);
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
      throw new HttpError(400, `this append said it was the last, but ended at ${upload.offset}, which disagrees with the upload's length ${upload.size}`, upload.offset);
    }

    const complete = upload.size !== undefined && upload.offset === upload.size;
    let file: CompletedFile | undefined;
    if (complete) {
      // The host's onUploadFinish is promised before the upload completes, and told once it has.
      const finishing = await ctx.finish?.intend(owner, ownerIdOf(req, owner), request.id);
      file = await completeVerified(upload, request.reprDigest);
      if (finishing) ctx.finish!.deliver(finishing);
      Object.assign(log, { sha256: file.sha256, verified: file.verified });
    }
    log.offset = upload.offset;
    answered = true;
    return { offset: upload.offset, size: upload.size, complete, ...(file ? { file } : {}) };
  } finally {
    tap.release();
    bodyHash?.dispose();
    await budget?.release();
    if (lease) lease.writer = undefined;
    await upload?.close().catch(() => undefined);
    // A creation that fails keeps nothing, still under the lock: its client never learnt where it is (issue 28, M3).
    if (request.creates && !answered && upload && owner !== undefined) await ctx.store.remove(owner, request.id).catch((error: unknown) => ctx.log.warn({ err: error, id: request.id }, 'a failed creation was not removed'));
    lease?.release();
    releaseSlot?.();
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

/** docs/design.md §1.3, exact-offset and size rules. Returns the size the upload will have. */
function checkAppend(request: AppendSpec, held: Held, restart: boolean): number | undefined {
  const words = request.words ?? FERRY_WORDS;
  // "It never destroys a completed one: that answers 409 with the full size."
  if (held.complete) throw conflict('this upload is already complete', held);
  // "A POST whose X-Start-Byte is not what the server holds is 409."
  if (!restart && request.start !== held.offset) throw conflict(`${words.start} is ${request.start} but the server holds ${held.offset} bytes`, held);
  if (restart || held.size === undefined) {
    if (request.size !== undefined && !restart && held.offset > request.size) {
      throw badRequest(`${words.size} ${request.size} is less than the ${held.offset} bytes already held`);
    }
    return request.size;
  }
  // "An X-File-Size that disagrees with the size recorded earlier is 400."
  if (request.size !== undefined && request.size !== held.size) {
    throw badRequest(`${words.size} ${request.size} disagrees with the size recorded earlier, ${held.size}`);
  }
  return held.size;
}

/** Turn how the body ended into the bytes we keep and, for failures, the error to answer with. */
async function settle(
  outcome: BodyOutcome,
  upload: OpenUpload,
  startedAt: number,
  request: AppendSpec,
  ctx: AppContext,
  lease: Lease,
  log: LogFields,
): Promise<void> {
  const held = () => ({ offset: upload.offset, size: upload.size, complete: false });
  // Whatever was written is made durable before anyone is told about it.
  const synced = await upload.sync().then(() => undefined, (error: Error) => error);
  switch (outcome.kind) {
    case 'end':
      if (synced) throw writeFailure(synced, held());
      return;
    case 'aborted':
      log.outcome = 'client-gone';
      throw new HttpError(499, 'the client closed the connection', upload.offset);
    case 'too-slow':
      log.outcome = 'too-slow';
      throw new HttpError(408, 'the body arrived too slowly and was closed; the bytes received are kept, resume from the status', upload.offset, { connection: 'close' });
    case 'superseded':
      throw stopped(lease, held());
    case 'too-large':
      // "Nothing past the size is stored": this request's bytes are dropped, what was held stays.
      await upload.truncate(startedAt);
      throw tooLarge(request, upload.size, ctx.config.maxUploadBytes, held());
    case 'past-quota':
      await upload.truncate(startedAt);
      throw bodyPastQuota(ctx, upload.offset);
    case 'write-failed':
      if (outcome.error instanceof HttpError) throw outcome.error; // the quota ledger out of reach: 503
      throw writeFailure(outcome.error, held());
  }
}

/** The answer to an append stopped before it finished: whoever stopped it says why. */
function stopped(lease: Lease, held: Held): HttpError {
  switch (lease.stopReason) {
    case 'shutdown':
      // Also before its body began: SIGTERM may come while it still waits for its upload.
      return new HttpError(503, 'the server is restarting; the bytes received are kept, resume shortly', held.offset, { 'retry-after': '2', connection: 'close' });
    case 'lock-lost':
      return new HttpError(503, 'this server lost its lock on the upload; the bytes it stored are kept, resume from the status', held.offset, { 'retry-after': '1' });
    case 'takeover':
    case undefined:
      return conflict('a newer request took this upload over', held);
  }
}

function conflict(reason: string, held: Held): HttpError {
  return new HttpError(409, reason, held.offset, held.complete ? { [Header.uploadComplete]: '1' } : {});
}

function tooLarge(request: AppendSpec, size: number | undefined, max: number, held: Held): HttpError {
  const words = request.words ?? FERRY_WORDS;
  const reason = size !== undefined && size <= max
    ? `the body runs past ${words.size} ${size} (${words.start} ${request.start})`
    : `uploads are limited to ${max} bytes`;
  return new HttpError(413, reason, held.offset, { [Header.uploadLimit]: String(max) });
}

function writeFailure(error: Error, held: Held): HttpError {
  if (isOutOfSpace(error)) return new HttpError(507, 'the server is out of storage space; retry later', held.offset, { 'retry-after': '60' });
  if (isOutOfDescriptors(error)) return new HttpError(503, 'the server is busy; the bytes received are kept, retry shortly', held.offset, { 'retry-after': '2' });
  return new HttpError(500, 'the server could not store the bytes; retry later', held.offset, { 'retry-after': '5' });
}

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
