// GET /files and GET /files/<percent-encoded id>: the owner's completed uploads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import { MAX_ID_LENGTH } from '../../common/protocol.js';
import type { AppContext, LogFields } from '../context.js';
import type { ByteRange } from '../store/port.js';
import { badRequest, HttpError } from '../errors.js';
import { sendJson } from '../respond.js';

export async function listFiles(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.store.list(await ctx.identify(req, res)));
}

// An uploaded file is the user's data, never part of the app: even an HTML file
// must not run script in this origin, where the service worker lives.
const DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

/**
 * Types a browser only ever shows, never runs: images (but SVG, which carries script), audio,
 * video, PDF and plain text. Any other type, a script's or a page's among them, goes out as
 * bytes: a `<script src>` or a stylesheet link to a download finds nothing it can execute.
 */
export function inertType(type: string): string {
  const essence = type.split(';', 1)[0]!.trim().toLowerCase();
  const inert = (/^(image|audio|video)\/[\w.+-]+$/.test(essence) && essence !== 'image/svg+xml')
    || essence === 'application/pdf' || essence === 'text/plain';
  return inert ? type : 'application/octet-stream';
}

export async function downloadFile(ctx: AppContext, req: IncomingMessage, res: ServerResponse, encodedId: string, log: LogFields): Promise<void> {
  const id = decodeId(encodedId);
  log.id = id;
  const download = await ctx.store.download(await ctx.identify(req, res), id, (file) => requestedRange(req, file.size, etagOf(file.sha256)));
  if (!download) throw new HttpError(404, 'no completed file with this id');
  const { file, range, stream } = download;
  res.writeHead(range ? 206 : 200, {
    'content-type': inertType(file.type),
    'content-length': range ? range.end - range.start + 1 : file.size,
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${file.size}` } : {}),
    // A big download that drops continues where it stopped, and only from this very file.
    'accept-ranges': 'bytes',
    etag: etagOf(file.sha256),
    'content-disposition': contentDisposition(file.name),
    'content-security-policy': DOWNLOAD_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'private, no-cache',
    'x-file-sha256': file.sha256,
  });
  if (req.method === 'HEAD') {
    stream.destroy();
    res.end();
    return;
  }
  log.bytes = range ? range.end - range.start + 1 : file.size;
  await pipeline(stream, res);
}

const etagOf = (sha256: string) => `"${sha256}"`;

/**
 * The one byte range a request asks for (RFC 9110 §14), or undefined for the whole file: no Range,
 * several ranges, a form we do not read, or an If-Range naming another version. Throws 416 for a
 * range wholly past the end.
 */
export function requestedRange(req: Pick<IncomingMessage, 'headers'>, size: number, etag: string): ByteRange | undefined {
  const header = req.headers.range;
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const [first, last] = [match[1]!, match[2]!];
  const range = first === ''
    ? { start: Math.max(0, size - Number(last)), end: size - 1 } // the last N bytes
    : { start: Number(first), end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
  if (range.start >= size || range.end < range.start) {
    if (first !== '' && last !== '' && Number(last) < Number(first)) return undefined; // not a valid range: ignore it
    throw new HttpError(416, `the file has ${size} bytes; that range is past its end`, undefined, { 'content-range': `bytes */${size}` });
  }
  return range;
}

function decodeId(encoded: string): string {
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    throw badRequest('the file id in the path must be percent-encoded UTF-8');
  }
  if (id === '' || id.length > MAX_ID_LENGTH) throw badRequest(`the file id must be 1 to ${MAX_ID_LENGTH} characters`);
  return id;
}
