// GET /status: how many bytes the server holds for this owner's id. A plain status promises
// its offset; a progress poll (X-Progress-Poll: 1) only reads it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header } from '../../common/protocol.js';
import { uploadKey, type AppContext, type LogFields } from '../context.js';
import { readFileId, readFlag } from '../headers.js';
import { offsetHeaders, sendText } from '../respond.js';
import type { Held } from '../store/port.js';

export async function status(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const id = readFileId(req);
  const progressOnly = readFlag(req, Header.progressPoll);
  Object.assign(log, { id, progressOnly: progressOnly || undefined });
  const owner = await ctx.owners.of(req, res);
  const { received, ...held } = progressOnly ? await heldNow(ctx, owner, id) : await heldAfterStopping(ctx, owner, id);
  log.offset = held.offset;
  offsetHeaders(res, held);
  if (received !== undefined && received > held.offset) res.setHeader(Header.uploadReceived, String(received));
  sendText(res, 200, String(held.offset));
}

/**
 * The promise (issue 14): an offset status answers is accepted by the next append. A live append
 * could still move it, so it is stopped first; it keeps and flushes what it received until now,
 * and bytes arriving later on its connection are dropped.
 */
async function heldAfterStopping(ctx: AppContext, owner: string, id: string): Promise<Held & { received?: number }> {
  await ctx.writers.stopLive(uploadKey(owner, id));
  return ctx.store.held(owner, id);
}

/** For a progress poll: the store's offset, or a live append's when one is running (on this instance or another). */
async function heldNow(ctx: AppContext, owner: string, id: string): Promise<Held & { received?: number }> {
  const live = await ctx.writers.liveOffsets(uploadKey(owner, id), ctx.config.ghostIdleMs);
  const held = await ctx.store.held(owner, id);
  return live === undefined || held.complete ? held : { ...held, offset: live.verified, received: live.received };
}
