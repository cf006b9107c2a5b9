// CORS for pages on other origins that upload with a bearer token (an app using tus-js-client or
// Uppy): only the origins CORS_ORIGINS lists, no cookies, and every header the protocols need.
import type { IncomingMessage, ServerResponse } from 'node:http';

const METHODS = 'GET, HEAD, POST, PATCH, DELETE, OPTIONS';
const REQUEST_HEADERS = [
  'authorization', 'content-type', 'content-digest', 'repr-digest', 'range', 'if-range',
  'tus-resumable', 'upload-length', 'upload-defer-length', 'upload-offset', 'upload-metadata', 'upload-checksum',
  'upload-complete', 'upload-draft-interop-version', 'x-http-method-override',
  'x-file-id', 'x-start-byte', 'x-file-size', 'x-file-name', 'x-file-type', 'x-no-restart', 'x-progress-poll', 'x-checked-digest',
].join(', ');
const EXPOSED = [
  'location', 'upload-offset', 'upload-length', 'upload-defer-length', 'upload-expires', 'upload-complete', 'upload-limit',
  'upload-draft-interop-version', 'tus-resumable', 'tus-version', 'tus-extension', 'tus-max-size', 'tus-checksum-algorithm',
  'x-upload-complete', 'x-upload-received', 'x-upload-checked', 'x-upload-verified', 'x-file-size', 'x-upload-limit', 'x-file-sha256', 'content-range', 'accept-ranges', 'etag',
  'retry-after',
].join(', ');

/**
 * Add CORS headers for an allowed origin. Answers a preflight itself and returns true then;
 * a request from an origin not listed gets no CORS headers, so the browser keeps its answer from the page.
 */
export function applyCors(allowed: ReadonlySet<string>, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || !(allowed.has(origin) || allowed.has('*'))) return false;
  res.setHeader('access-control-allow-origin', allowed.has('*') ? '*' : origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED);
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  res.writeHead(204, {
    'access-control-allow-methods': METHODS,
    'access-control-allow-headers': REQUEST_HEADERS,
    'access-control-max-age': '600',
  }).end();
  return true;
}
