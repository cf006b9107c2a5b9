// GET /status: how many bytes the server holds for this owner's id.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header } from '../../common/protocol.js';
import { uploadKey, type AppContext, type LogFields } from '../context.js';
import { readFileId } from '../headers.js';
import { ownerOf } from '../owner.js';
import { offsetHeaders, sendText } from '../respond.js';
import type { Held } from '../store/port.js';

export async function status(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const id = readFileId(req);
  log.id = id;
  const owner = ownerOf(req, res);
  const { received, ...held } = await heldNow(ctx, owner, id);
  log.offset = held.offset;
  offsetHeaders(res, held);
  if (received !== undefined && received > held.offset) res.setHeader(Header.uploadReceived, String(received));
  sendText(res, 200, String(held.offset));
}

/**
 * A live append keeps its upload while a status poll reads its durable offset, so a
 * progress poll never kills the chunk it measures. An append silent for GHOST_IDLE
 * is a connection the server has not yet noticed is dead: status stops it first,
 * and then reports what it flushed.
 */
async function heldNow(ctx: AppContext, owner: string, id: string): Promise<Held & { received?: number }> {
  const key = uploadKey(owner, id);
  const holder = ctx.writers.current(key);
  if (holder && holder.idleMs() < ctx.config.ghostIdleMs) {
    const live = await holder.writer?.durableOffset();
    const held = await ctx.store.held(owner, id);
    return live === undefined || held.complete ? held : { ...held, offset: live.verified, received: live.received };
  }
  if (!holder) return ctx.store.held(owner, id);
  const lease = await ctx.writers.acquire(key);
  try {
    return await ctx.store.held(owner, id);
  } finally {
    lease.release();
  }
}
