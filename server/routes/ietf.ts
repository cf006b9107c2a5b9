// The IETF Resumable Uploads draft on /uploads/, interop versions 6 (draft-05, tus-js-client's
// 'ietf-draft-05') and 8 (the editor's copy): creation by any request with a body and
// Upload-Complete, offset retrieval by HEAD, append by PATCH of application/partial-upload,
// cancellation by DELETE, with its problem types. Same store, owners, quotas, digests and
// append pipeline as the Ferry protocol and tus.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseDisposition } from 'content-disposition';
import { Header } from '../../common/protocol.js';
import { appendBody, type AppendSpec } from '../append-body.js';
import type { AppContext, LogFields } from '../context.js';
import { readSha256Digest } from '../digest.js';
import { AppendRefused, badRequest, HttpError, ProblemError } from '../errors.js';
import { header, mediaType, plainName, readByteCount } from '../headers.js';
import type { Held } from '../store/port.js';
import { mounted } from '../mount.js';
import { sendInterim } from '../respond.js';
import { removeUpload, resumeState } from '../upload-resource.js';
import { readMetadata, uploadUrl } from './tus.js';

export const INTEROP_VERSIONS = ['6', '8', '9'] as const;
type Interop = (typeof INTEROP_VERSIONS)[number];
const PARTIAL_UPLOAD = 'application/partial-upload';
const PROBLEMS = 'https://iana.org/assignments/http-problem-types#';

/** The interop version a request speaks, or undefined when it speaks none we support (400). */
export function interopOf(req: IncomingMessage): Interop {
  const version = header(req, 'upload-draft-interop-version');
  if (!(INTEROP_VERSIONS as readonly string[]).includes(version ?? '')) {
    throw badRequest(`Upload-Draft-Interop-Version ${version} is not supported; this server speaks ${INTEROP_VERSIONS.join(', ')}`);
  }
  return version as Interop;
}

/** `?1` / `?0` (RFC 9651 Boolean); anything else is as if absent. */
function uploadComplete(req: IncomingMessage): boolean | undefined {
  const value = header(req, 'upload-complete')?.trim();
  return value === '?1' ? true : value === '?0' ? false : undefined;
}

/** Upload-Limit for a version: draft-06 renamed `expires` to `max-age`. */
function limits(ctx: AppContext, interop: Interop): Record<string, string> {
  const seconds = Math.floor(ctx.config.uploadTtlMs / 1000);
  return { 'upload-limit': `max-size=${ctx.config.maxUploadBytes}, ${interop === '6' ? 'expires' : 'max-age'}=${seconds}` };
}

function inconsistentLength(detail: string): ProblemError {
  return new ProblemError(400, `${PROBLEMS}inconsistent-upload-length`, 'inconsistent length values for upload', detail);
}

/** The length a request indicates: Upload-Length, or the offset plus Content-Length with Upload-Complete: ?1. They must agree. */
function indicatedLength(req: IncomingMessage, start: number, complete: boolean | undefined): number | undefined {
  const declared = readByteCount(req, 'upload-length');
  const contentLength = readByteCount(req, 'content-length');
  const implied = complete && contentLength !== undefined ? start + contentLength : undefined;
  // "If indicators (1) and (2) are both present in the same request, their indicated lengths MUST match."
  if (declared !== undefined && implied !== undefined && declared !== implied) {
    throw inconsistentLength(`Upload-Length ${declared} disagrees with the ${implied} bytes Upload-Complete and Content-Length indicate`);
  }
  return declared ?? implied;
}

/** Creation: any request with a body and Upload-Complete, at /uploads/. */
export async function ietfCreate(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields): Promise<void> {
  const interop = interopOf(req);
  const complete = uploadComplete(req);
  if (complete === undefined) throw badRequest('a resumable upload starts with Upload-Complete: ?0 or ?1');
  const length = indicatedLength(req, 0, complete);
  if (length !== undefined && length > ctx.config.maxUploadBytes) {
    throw new HttpError(413, `uploads are limited to ${ctx.config.maxUploadBytes} bytes`, undefined, limits(ctx, interop));
  }
  const id = randomBytes(16).toString('hex');
  const location = mounted(req, uploadUrl(id));
  // Interop 9 (draft 12 on): "the server SHOULD announce the upload resource by sending an interim
  // response with the 104 (Upload Resumption Supported) status code", with Location and Upload-Limit,
  // once the upload exists and before its body is read. Only a client speaking 9 gets one.
  const announce = interop === '9' ? () => sendInterim(req, res, 104, 'Upload Resumption Supported', { location, ...limits(ctx, interop) }) : undefined;
  const appended = await ietfAppend(ctx, req, res, {
    id, start: 0, size: length, noRestart: true, completes: complete, creates: true, ...(announce ? { announce } : {}),
    contentLength: readByteCount(req, 'content-length'), ...representationOf(req),
  }, interop, log);
  res.writeHead(appended.complete ? 200 : 201, {
    location,
    'upload-complete': appended.complete ? '?1' : '?0',
    'upload-offset': String(appended.offset),
    ...limits(ctx, interop),
  }).end();
}

/** HEAD /uploads/<id>: the offset, completeness, length and limits. It stops a live append first, so its offset is accepted next. */
export async function ietfHead(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const interop = interopOf(req);
  const held = await resumeState(ctx, await ctx.identify(req, res), id, true);
  res.writeHead(204, {
    'upload-offset': String(held.offset),
    'upload-complete': held.complete ? '?1' : '?0',
    ...(held.size === undefined ? {} : { 'upload-length': String(held.size) }),
    ...limits(ctx, interop),
  }).end();
}

/** PATCH /uploads/<id> with application/partial-upload: append at Upload-Offset. */
export async function ietfPatch(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string, log: LogFields): Promise<void> {
  const interop = interopOf(req);
  if (header(req, 'content-type') !== PARTIAL_UPLOAD) throw new HttpError(415, `an append is a PATCH of ${PARTIAL_UPLOAD}`);
  const start = readByteCount(req, 'upload-offset');
  if (start === undefined) throw badRequest('Upload-Offset is required');
  const complete = uploadComplete(req);
  // "The request MUST include the Upload-Complete header field."
  if (complete === undefined) throw badRequest('Upload-Complete is required: ?1 for the last append, else ?0');
  const contentLength = readByteCount(req, 'content-length');
  const appended = await ietfAppend(ctx, req, res, {
    id, start, size: indicatedLength(req, start, complete), name: undefined, type: undefined,
    noRestart: true, mustExist: true, completes: complete, contentLength,
  }, interop, log).catch((error: unknown) => {
    // An upload whose offset reached its declared length is complete already (see docs/protocol.md);
    // the empty `Upload-Complete: ?1` append a client may still send for it succeeds.
    if (complete && contentLength === 0 && error instanceof ProblemError && error.type.endsWith('#completed-upload') && error.offset === start) {
      return { offset: start, size: start, complete: true };
    }
    throw error;
  });
  res.writeHead(appended.complete ? 200 : 204, {
    'upload-complete': appended.complete ? '?1' : '?0',
    'upload-offset': String(appended.offset),
  }).end();
}

/** DELETE /uploads/<id>: cancellation; it stops a live append first. */
export async function ietfDelete(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  interopOf(req);
  await removeUpload(ctx, await ctx.identify(req, res), id, true);
  res.writeHead(204).end();
}

/** The shared pipeline, with its answers in the draft's terms. */
async function ietfAppend(ctx: AppContext, req: IncomingMessage, res: ServerResponse, spec: AppendSpec, interop: Interop, log: LogFields) {
  const contentDigest = readSha256Digest(req, Header.contentDigest);
  const reprDigest = readSha256Digest(req, Header.reprDigest);
  try {
    return await appendBody(ctx, req, res, {
      ...spec,
      protocol: 'ietf',
      ...(contentDigest ? { bodyDigest: { algorithm: 'sha256', expected: contentDigest } } : {}),
      ...(reprDigest ? { reprDigest } : {}),
      words: { start: 'Upload-Offset', size: 'Upload-Length' },
    }, log);
  } catch (error) {
    throw inDraftTerms(error, spec, interop, ctx);
  }
}

/** The pipeline's refusals in the draft's terms (its problem types); anything else as it is. */
function inDraftTerms(error: unknown, spec: AppendSpec, interop: Interop, ctx: AppContext): unknown {
  if (!(error instanceof AppendRefused)) return error;
  const held: Pick<Held, 'offset'> = { offset: error.offset ?? 0 };
  switch (error.kind) {
    case 'completed':
      // "If the upload is already complete, the server MUST NOT modify the upload resource and MUST reject the request."
      // Interop 9: "If the client attempted to append a non-zero length document, the server MUST treat this as an inconsistent length failure."
      if (interop === '9' && spec.contentLength !== 0) return inconsistentLength(`the upload is already complete at ${held.offset} bytes: ${error.message}`);
      return new ProblemError(400, `${PROBLEMS}completed-upload`, 'upload is already completed', error.message, held.offset);
    case 'offset-mismatch':
    case 'superseded':
      // "The response MUST include the correct offset in the Upload-Offset header field."
      return new ProblemError(409, `${PROBLEMS}mismatching-upload-offset`, 'offset from request does not match offset of resource', error.message, held.offset,
        { 'expected-offset': held.offset, 'provided-offset': spec.start });
    case 'length-mismatch':
      return inconsistentLength(error.message);
    case 'too-large':
      return new HttpError(413, error.message, error.offset, limits(ctx, interop));
  }
  return error;
}

/** The representation's name and type: Content-Disposition and Content-Type, or tus-js-client's Upload-Metadata. */
function representationOf(req: IncomingMessage): Pick<AppendSpec, 'name' | 'type' | 'metadata'> {
  const fromMetadata = readMetadata(header(req, 'upload-metadata'));
  let name = fromMetadata.name;
  const disposition = header(req, 'content-disposition');
  if (disposition !== undefined) {
    try {
      name = plainName(parseDisposition(disposition).parameters.filename ?? '') ?? name;
    } catch {
      throw badRequest('Content-Disposition is malformed');
    }
  }
  const contentType = header(req, 'content-type');
  const type = contentType === PARTIAL_UPLOAD ? undefined : mediaType(contentType);
  return { name, type: type ?? fromMetadata.type, metadata: fromMetadata.metadata };
}

