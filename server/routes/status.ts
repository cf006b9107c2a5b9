// GET /status: how many bytes the server holds for this owner's id. A plain status promises
// its offset; a progress poll (X-Progress-Poll: 1) only reads it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header } from '../../common/protocol.js';
import { uploadKey, type AppContext, type LogFields } from '../context.js';
import { readFileId, readFlag } from '../headers.js';
import { offsetHeaders, sendText } from '../respond.js';
import type { Held } from '../store/port.js';
import { resumeState } from '../upload-resource.js';

export async function status(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const id = readFileId(req);
  const progressOnly = readFlag(req, Header.progressPoll);
  Object.assign(log, { id, progressOnly: progressOnly || undefined });
  const owner = await ctx.identify(req, res);
  // A plain status promises its offset (issue 14): a live append is stopped first, keeping what it received.
  const { received, ...held }: Held & { received?: number } = progressOnly ? await heldNow(ctx, owner, id) : await resumeState(ctx, owner, id, false);
  log.offset = held.offset;
  // Bytes a poll confirms are never taken back by a promise (only received ones, still unchecked, may be).
  if (progressOnly && !held.complete) await ctx.writers.endPromiseBelow(uploadKey(owner, id), held.offset);
  offsetHeaders(res, held);
  if (received !== undefined && received > held.offset) res.setHeader(Header.uploadReceived, String(received));
  if (!progressOnly && !held.complete && held.checked !== undefined) res.setHeader(Header.uploadChecked, String(held.checked));
  sendText(res, 200, String(held.offset));
}

/**
 * For a progress poll: the store's offset, or a live append's when one is running (on this instance or
 * another). The store's offset counts every byte an append has written, checked or not, so it stands
 * only if no append was live on either side of reading it: a poll that read it just as an append began
 * reported bytes still waiting on their digest, and the next poll took them back (issue 32).
 */
async function heldNow(ctx: AppContext, owner: string, id: string): Promise<Held & { received?: number }> {
  const key = uploadKey(owner, id);
  const liveBefore = await ctx.writers.liveOffsets(key, ctx.config.ghostIdleMs);
  const held = await ctx.store.held(owner, id);
  if (held.complete) return held;
  const live = liveBefore ?? (await ctx.writers.liveOffsets(key, ctx.config.ghostIdleMs));
  return live === undefined ? held : { ...held, offset: live.verified, received: live.received };
}
