// DELETE /upload: the upload and its bytes are gone, partial or complete.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, LogFields } from '../context.js';
import { readFileId } from '../headers.js';
import { removeUpload } from '../upload-resource.js';

export async function cancel(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const id = readFileId(req);
  log.id = id;
  await removeUpload(ctx, await ctx.identify(req, res), id, false);
  // Idempotent: a retried cancel, or one for an id this owner never had, is also 204.
  res.writeHead(204).end();
}
