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

/** The store's offset, or a live append's when one is running (on this instance or another). */
async function heldNow(ctx: AppContext, owner: string, id: string): Promise<Held & { received?: number }> {
  const live = await ctx.writers.liveOffsets(uploadKey(owner, id), ctx.config.ghostIdleMs);
  const held = await ctx.store.held(owner, id);
  return live === undefined || held.complete ? held : { ...held, offset: live.verified, received: live.received };
}
