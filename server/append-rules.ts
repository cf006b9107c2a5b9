// The rules an append is held to, and how each way it can end becomes an answer: the exact-offset
// and size rules (docs/design.md §1.3), how a body's end settles what is kept, and the errors, in the
// Ferry protocol's terms (tus and the IETF draft translate them).
import { Header } from '../common/protocol.js';
import type { AppendSpec } from './append-body.js';
import type { AppContext, LogFields } from './context.js';
import { AppendRefused, HttpError, isOutOfDescriptors, isOutOfSpace, isStoreUnreachable } from './errors.js';
import { bodyPastQuota } from './quota.js';
import type { BodyOutcome } from './receive-body.js';
import type { Held, OpenUpload } from './store/port.js';
import type { Lease } from './writers.js';

const FERRY_WORDS = { start: Header.startByte, size: Header.fileSize };

/** docs/design.md §1.3, exact-offset and size rules. Returns the size the upload will have. */
export function checkAppend(request: AppendSpec, held: Held, restart: boolean): number | undefined {
  const words = request.words ?? FERRY_WORDS;
  // "It never destroys a completed one: that answers 409 with the full size."
  if (held.complete) throw conflict('completed', 'this upload is already complete', held);
  // "A POST whose X-Start-Byte is not what the server holds is 409."
  if (!restart && request.start !== held.offset) throw conflict('offset-mismatch', `${words.start} is ${request.start} but the server holds ${held.offset} bytes`, held);
  if (restart || held.size === undefined) {
    if (request.size !== undefined && !restart && held.offset > request.size) {
      throw new AppendRefused('length-mismatch', 400, `${words.size} ${request.size} is less than the ${held.offset} bytes already held`);
    }
    return request.size;
  }
  // "An X-File-Size that disagrees with the size recorded earlier is 400."
  if (request.size !== undefined && request.size !== held.size) {
    throw new AppendRefused('length-mismatch', 400, `${words.size} ${request.size} disagrees with the size recorded earlier, ${held.size}`);
  }
  return held.size;
}

/** Turn how the body ended into the bytes we keep and, for failures, the error to answer with. */
export async function settle(
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
export function stopped(lease: Lease, held: Held): HttpError {
  switch (lease.stopReason) {
    case 'shutdown':
      // Also before its body began: SIGTERM may come while it still waits for its upload.
      return new HttpError(503, 'the server is restarting; the bytes received are kept, resume shortly', held.offset, { 'retry-after': '2', connection: 'close' });
    case 'lock-lost':
      return new HttpError(503, 'this server lost its lock on the upload; the bytes it stored are kept, resume from the status', held.offset, { 'retry-after': '1' });
    case 'takeover':
    case undefined:
      return conflict('superseded', 'a newer request took this upload over', held);
  }
}

function conflict(kind: 'completed' | 'offset-mismatch' | 'superseded', reason: string, held: Held): AppendRefused {
  return new AppendRefused(kind, 409, reason, held.offset, held.complete ? { [Header.uploadComplete]: '1' } : {});
}

export function tooLarge(request: AppendSpec, size: number | undefined, max: number, held: Held): AppendRefused {
  const words = request.words ?? FERRY_WORDS;
  const reason = size !== undefined && size <= max
    ? `the body runs past ${words.size} ${size} (${words.start} ${request.start})`
    : `uploads are limited to ${max} bytes`;
  return new AppendRefused('too-large', 413, reason, held.offset, { [Header.uploadLimit]: String(max) });
}

function writeFailure(error: Error, held: Held): HttpError {
  if (isOutOfSpace(error)) return new HttpError(507, 'the server is out of storage space; retry later', held.offset, { 'retry-after': '60' });
  if (isOutOfDescriptors(error)) return new HttpError(503, 'the server is busy; the bytes received are kept, retry shortly', held.offset, { 'retry-after': '2' });
  if (isStoreUnreachable(error)) return new HttpError(503, 'the storage is unreachable; the bytes stored are kept, retry shortly', held.offset, { 'retry-after': '5' });
  return new HttpError(500, 'the server could not store the bytes; retry later', held.offset, { 'retry-after': '5' });
}

