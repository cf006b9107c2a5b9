// What the Ferry protocol, tus and the IETF draft do alike to one upload: read where to resume
// (stopping a live append first, so the offset is accepted next) and remove it under its lock.
import type { IncomingMessage } from 'node:http';
import { uploadKey, type AppContext } from './context.js';
import { HttpError } from './errors.js';
import { ownerIdOf } from './identity.js';
import type { Protocol } from './metrics.js';
import type { Fence, Held, OpenUpload } from './store/port.js';

/** The upload's state after stopping a live append of it; with `mustExist`, 404 when there is none. */
export async function resumeState(ctx: AppContext, owner: string, id: string, mustExist: boolean): Promise<Held> {
  const key = uploadKey(owner, id);
  // Under the upload's lock: a live append is stopped first, and no append runs between the read and
  // the promise (one that did could keep an older promise and take back the bytes this status reports).
  const lease = await ctx.writers.acquire(key);
  try {
    const held = await ctx.store.held(owner, id);
    if (mustExist && held.unknown) throw new HttpError(404, 'no such upload (never created, cancelled, or expired)');
    // Promised even when a newer request already waits for the lock (it runs after this answer and
    // must find the promise); not when the lock was lost, since another instance may be writing.
    if (!held.complete && lease.stopReason !== 'lock-lost') await ctx.writers.promise(key, held.offset);
    return held;
  } finally {
    lease.release();
  }
}

/** Stop a running append first, so no bytes land after the delete; with `mustExist`, 404 when there is none. */
export async function removeUpload(ctx: AppContext, owner: string, id: string, mustExist: boolean): Promise<void> {
  const lease = await ctx.writers.acquire(uploadKey(owner, id));
  try {
    if (mustExist && (await ctx.store.held(owner, id)).unknown) throw new HttpError(404, 'no such upload');
    await ctx.store.remove(owner, id);
    await ctx.writers.endPromise(uploadKey(owner, id));
    ctx.push?.wakeups.ended(owner, id);
  } finally {
    lease.release();
  }
}

/**
 * An upload that holds every byte of its declared size but never completed (its body was cut at its
 * very end, or the server stopped between the last byte and the completion) completes now. A tus
 * client that reads Upload-Offset = Upload-Length sends nothing more, so without this the file would
 * never be listed nor handed to the hooks (issue 32: found by the chaos schedule).
 */
export async function completeWhole(ctx: AppContext, req: IncomingMessage, owner: string, id: string, held: Held, protocol: Protocol): Promise<Held> {
  if (!isWhole(held)) return held;
  const lease = await ctx.writers.acquire(uploadKey(owner, id));
  let upload: OpenUpload | undefined;
  try {
    const now = await ctx.store.held(owner, id);
    if (!isWhole(now) || lease.superseded.aborted) return now;
    upload = await ctx.store.open(owner, id, { size: now.size, name: undefined, type: undefined }, false, lease.fence);
    const finishing = await ctx.finish?.intend(owner, ownerIdOf(req, owner), id);
    const file = await upload.complete();
    if (finishing) ctx.finish!.deliver(finishing);
    ctx.metrics.uploadsCompleted.inc({ protocol });
    ctx.metrics.bytesKept.inc(file.size);
    ctx.push?.wakeups.ended(owner, id);
    return { ...now, complete: true };
  } finally {
    await upload?.close().catch(() => undefined);
    lease.release();
  }
}

const isWhole = (held: Held): boolean => !held.complete && !held.unknown && held.size !== undefined && held.size > 0 && held.offset === held.size;

/**
 * Keep a status's promise (issue 32): the append at the offset a status answered finds bytes past it
 * that a request delivered after the status left (a cut body a middlebox still held, or one still
 * in the server's socket buffer). Nobody was told of those bytes, so they are dropped and this append
 * goes on from the promised offset. Undefined when no promise stands at `start`, or the store cannot
 * take the bytes back (S3 parts already committed): then the append gets 409 with the held offset.
 */
export async function keepPromise(ctx: AppContext, owner: string, id: string, start: number, held: Held, fence: Fence): Promise<Held | undefined> {
  if (held.complete || held.unknown || start >= held.offset) return undefined;
  if ((await ctx.writers.promised(uploadKey(owner, id))) !== start) return undefined;
  const upload = await ctx.store.open(owner, id, { size: held.size, name: undefined, type: undefined }, false, fence);
  try {
    if (upload.canTruncateTo && !upload.canTruncateTo(start)) return undefined;
    await upload.truncate(start);
  } finally {
    await upload.close();
  }
  ctx.log.info({ id, from: held.offset, to: start }, 'bytes delivered after a status were dropped to keep its offset');
  return ctx.store.held(owner, id);
}
