// POST /upload: append the body at X-Start-Byte, exactly where the held bytes end.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header } from '../../common/protocol.js';
import { appendBody } from '../append-body.js';
import type { AppContext, LogFields } from '../context.js';
import { readSha256Digest } from '../digest.js';
import { header, readAppendHeaders } from '../headers.js';
import { readMetadata } from './tus.js';
import { offsetHeaders, sendText } from '../respond.js';

export async function append(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const request = readAppendHeaders(req);
  const contentDigest = readSha256Digest(req, Header.contentDigest);
  const reprDigest = readSha256Digest(req, Header.reprDigest);
  const checkedDigest = readSha256Digest(req, Header.checkedDigest);
  // The page's metadata (docs/embed.md), sent with the append that may create the upload.
  const metadata = header(req, 'upload-metadata');
  const appended = await appendBody(ctx, req, res, {
    ...request,
    ...(contentDigest ? { bodyDigest: { algorithm: 'sha256', expected: contentDigest } } : {}),
    ...(reprDigest ? { reprDigest } : {}),
    ...(checkedDigest ? { checkedDigest } : {}),
    ...(metadata === undefined ? {} : { metadata: readMetadata(metadata).metadata }),
  }, log);
  offsetHeaders(res, appended);
  if (appended.file?.verified) res.setHeader(Header.uploadVerified, '1');
  sendText(res, 200, String(appended.offset));
}
