// DELETE /upload: the upload and its bytes are gone, partial or complete.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { uploadKey, type AppContext, type LogFields } from '../context.js';
import { readFileId } from '../headers.js';

export async function cancel(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const id = readFileId(req);
  log.id = id;
  const owner = await ctx.owners.of(req, res);
  // Stop a running append first, so no bytes land after the delete.
  const lease = await ctx.writers.acquire(uploadKey(owner, id));
  try {
    await ctx.store.remove(owner, id);
  } finally {
    lease.release();
  }
  // Idempotent: a retried cancel, or one for an id this owner never had, is also 204.
  res.writeHead(204).end();
}
