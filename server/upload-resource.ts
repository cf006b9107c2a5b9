// What the Ferry protocol, tus and the IETF draft do alike to one upload: read where to resume
// (stopping a live append first, so the offset is accepted next) and remove it under its lock.
import { uploadKey, type AppContext } from './context.js';
import { HttpError } from './errors.js';
import type { Held } from './store/port.js';

/** The upload's state after stopping a live append of it; with `mustExist`, 404 when there is none. */
export async function resumeState(ctx: AppContext, owner: string, id: string, mustExist: boolean): Promise<Held> {
  await ctx.writers.stopLive(uploadKey(owner, id));
  const held = await ctx.store.held(owner, id);
  if (mustExist && held.unknown) throw new HttpError(404, 'no such upload (never created, cancelled, or expired)');
  return held;
}

/** Stop a running append first, so no bytes land after the delete; with `mustExist`, 404 when there is none. */
export async function removeUpload(ctx: AppContext, owner: string, id: string, mustExist: boolean): Promise<void> {
  const lease = await ctx.writers.acquire(uploadKey(owner, id));
  try {
    if (mustExist && (await ctx.store.held(owner, id)).unknown) throw new HttpError(404, 'no such upload');
    await ctx.store.remove(owner, id);
    ctx.push?.wakeups.ended(owner, id);
  } finally {
    lease.release();
  }
}
