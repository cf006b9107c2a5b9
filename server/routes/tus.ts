// tus 1.0.0 on /uploads/ (https://tus.io/protocols/resumable-upload): core (HEAD, PATCH,
// OPTIONS) and the creation, creation-with-upload, creation-defer-length, termination,
// expiration and checksum extensions, into the same store, owners, quotas and listing as the
// Ferry protocol, through the same append pipeline (one writer, exact offsets, fdatasync).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Problem } from '../../common/protocol.js';
import { appendBody, type AppendSpec } from '../append-body.js';
import type { AppContext, LogFields } from '../context.js';
import { badRequest, HttpError, ProblemError } from '../errors.js';
import type { HashAlgorithm } from '../hash-thread.js';
import { header, mediaType, plainName, readByteCount } from '../headers.js';
import type { Held } from '../store/port.js';
import { mounted } from '../mount.js';
import { completeWhole, removeUpload, resumeState } from '../upload-resource.js';

export const TUS_VERSION = '1.0.0';
const EXTENSIONS = 'creation,creation-with-upload,creation-defer-length,termination,expiration,checksum';
const CHECKSUMS: Record<string, HashAlgorithm> = { sha1: 'sha1', sha256: 'sha256' };
const OFFSET_STREAM = 'application/offset+octet-stream';
const UPLOADS = '/uploads/';

/** An upload's address: owner-scoped by the store, so another owner's URL is simply not found. */
export const uploadUrl = (id: string) => `${UPLOADS}${id}`;

/** OPTIONS: what this server speaks. No Tus-Resumable is needed to ask. */
export function tusOptions(ctx: AppContext, res: ServerResponse): void {
  res.writeHead(204, {
    // The IETF draft's discovery, answered alongside: appends are PATCHes of application/partial-upload.
    'accept-patch': 'application/partial-upload, application/offset+octet-stream',
    'upload-limit': `max-size=${ctx.config.maxUploadBytes}, max-age=${Math.floor(ctx.config.uploadTtlMs / 1000)}`,
    'tus-version': TUS_VERSION,
    'tus-extension': EXTENSIONS,
    'tus-max-size': String(ctx.config.maxUploadBytes),
    'tus-checksum-algorithm': Object.keys(CHECKSUMS).join(','),
  }).end();
}

/** POST /uploads/: creation, with or without a first body. */
export async function tusCreate(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const length = readByteCount(req, 'upload-length');
  const deferred = header(req, 'upload-defer-length');
  // "The Client MUST include either the Upload-Length or the Upload-Defer-Length header."
  if ((length === undefined) === (deferred === undefined)) throw badRequest('send either Upload-Length or Upload-Defer-Length: 1');
  if (deferred !== undefined && deferred !== '1') throw badRequest('Upload-Defer-Length must be 1');
  // "If the length of the upload exceeds the maximum, the Server MUST respond with 413."
  if (length !== undefined && length > ctx.config.maxUploadBytes) throw new HttpError(413, `uploads are limited to ${ctx.config.maxUploadBytes} bytes`);
  const withBody = header(req, 'content-type') === OFFSET_STREAM;
  // Creation with upload: "the Client MUST include the Content-Type: application/offset+octet-stream header";
  // a body of any other type is no upload data, and is refused rather than stored (issue 28, L4).
  if (!withBody && hasBody(req)) throw new HttpError(415, `a creation's body must be ${OFFSET_STREAM}, or send none and PATCH the bytes`);
  const id = randomBytes(16).toString('hex');
  const { name, type, metadata } = readMetadata(header(req, 'upload-metadata'));
  const appended = await tusAppend(ctx, req, res, {
    id, start: 0, size: length, name, type, metadata, noRestart: true, creates: true,
    contentLength: withBody ? readByteCount(req, 'content-length') : 0,
    ...checksumOf(req, withBody),
  }, log);
  // "The Server MUST acknowledge a successful upload creation with the 201 Created status."
  res.writeHead(201, {
    location: mounted(req, uploadUrl(id)),
    ...(withBody ? { 'upload-offset': String(appended.offset) } : {}),
    ...expiry(ctx, appended),
  }).end();
}

/** HEAD /uploads/<id>: where to resume. Like a plain status, it first stops a live append of the upload. */
export async function tusHead(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  // "If the resource is not found, the Server SHOULD return 404 or 410 without an Upload-Offset header."
  const owner = await ctx.identify(req, res);
  const held = await completeWhole(ctx, req, owner, id, await resumeState(ctx, owner, id, true), 'tus');
  res.writeHead(200, {
    'upload-offset': String(held.offset),
    ...(held.size === undefined ? { 'upload-defer-length': '1' } : { 'upload-length': String(held.size) }),
    ...expiry(ctx, held),
  }).end();
}

/** PATCH /uploads/<id>: the bytes at Upload-Offset. */
export async function tusPatch(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string, log: LogFields): Promise<void> {
  // "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise 415."
  if (header(req, 'content-type') !== OFFSET_STREAM) throw new HttpError(415, `a PATCH body must be ${OFFSET_STREAM}`);
  const start = readByteCount(req, 'upload-offset');
  if (start === undefined) throw badRequest('Upload-Offset is required');
  const appended = await tusAppend(ctx, req, res, {
    id, start, size: readByteCount(req, 'upload-length'), name: undefined, type: undefined, noRestart: true, mustExist: true,
    contentLength: readByteCount(req, 'content-length'),
    ...checksumOf(req, true),
  }, log);
  // "The Server MUST acknowledge successful PATCH requests with 204 and the new Upload-Offset."
  res.writeHead(204, { 'upload-offset': String(appended.offset), ...expiry(ctx, appended) }).end();
}

/** DELETE /uploads/<id>: termination. */
export async function tusDelete(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  await removeUpload(ctx, await ctx.identify(req, res), id, true);
  // "When receiving a DELETE request, the Server SHOULD free resources and return 204."
  res.writeHead(204).end();
}

/** The shared pipeline, with its answers in tus's terms. */
async function tusAppend(ctx: AppContext, req: IncomingMessage, res: ServerResponse, spec: AppendSpec, log: LogFields) {
  try {
    return await appendBody(ctx, req, res, { ...spec, protocol: 'tus', words: { start: 'Upload-Offset', size: 'Upload-Length' } }, log);
  } catch (error) {
    // "If the checksums do not match, the Server MUST respond with 460 Checksum Mismatch."
    if (error instanceof ProblemError && error.type === Problem.contentDigestMismatch) {
      throw new HttpError(460, 'the body does not match its Upload-Checksum; its bytes were dropped', error.offset);
    }
    throw error;
  }
}

/** A request that carries a body: a Content-Length above 0, or one sent chunked. */
function hasBody(req: IncomingMessage): boolean {
  return (readByteCount(req, 'content-length') ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** Upload-Checksum: `<algorithm> <base64>`. An algorithm we do not know is 400. */
function checksumOf(req: IncomingMessage, withBody: boolean): Pick<AppendSpec, 'bodyDigest'> {
  const value = header(req, 'upload-checksum');
  if (value === undefined || !withBody) return {};
  const [name = '', encoded = ''] = value.trim().split(/\s+/, 2);
  const algorithm = CHECKSUMS[name.toLowerCase()];
  if (!algorithm) throw badRequest(`Upload-Checksum algorithm "${name.slice(0, 20)}" is not supported; use ${Object.keys(CHECKSUMS).join(' or ')}`);
  const expected = Buffer.from(encoded, 'base64');
  if (expected.length !== (algorithm === 'sha1' ? 20 : 32)) throw badRequest(`Upload-Checksum must carry the base64 of a ${algorithm} digest`);
  return { bodyDigest: { algorithm, expected } };
}

/** Upload-Metadata: comma-separated `key base64value` pairs; `filename`/`name` and `filetype`/`type` are kept. */
export function readMetadata(value: string | undefined): { name: string | undefined; type: string | undefined; metadata: Record<string, string> } {
  const pairs = new Map<string, string>();
  for (const pair of (value ?? '').split(',')) {
    const [key, encoded] = pair.trim().split(' ', 2);
    if (!key) continue;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded ?? '')) throw badRequest(`Upload-Metadata value of "${key.slice(0, 40)}" must be base64`);
    pairs.set(key, Buffer.from(encoded ?? '', 'base64').toString('utf8'));
  }
  const name = pairs.get('filename') ?? pairs.get('name');
  return {
    name: name === undefined ? undefined : plainName(name.slice(0, 4096)),
    type: mediaType(pairs.get('filetype') ?? pairs.get('type')),
    metadata: Object.fromEntries(pairs),
  };
}

/** "Upload-Expires MUST be included if the pending upload will expire", as an RFC 9110 date. */
function expiry(ctx: AppContext, held: Pick<Held, 'complete'>): Record<string, string> {
  return held.complete ? {} : { 'upload-expires': new Date(Date.now() + ctx.config.uploadTtlMs).toUTCString() };
}
