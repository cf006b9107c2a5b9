import type { IncomingMessage } from 'node:http';
import { Header, MAX_ID_LENGTH, MAX_SAFE_BYTES } from '../common/protocol.js';
import { badRequest } from './errors.js';

export interface AppendHeaders {
  id: string;
  start: number;
  size: number | undefined;
  name: string | undefined;
  type: string | undefined;
  /** X-No-Restart: 1, a start of 0 must match the held offset like any other start. */
  noRestart: boolean;
  /** Body length from Content-Length; undefined for a chunked body. */
  contentLength: number | undefined;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  // Node joins repeated custom headers with ", "; an array only appears for set-cookie.
  return Array.isArray(value) ? value.join(', ') : value;
}

/** docs/design.md §1.3: a missing or empty id, or one over 1,024 characters, is 400. Ids are opaque. */
export function readFileId(req: IncomingMessage): string {
  const id = header(req, Header.fileId);
  if (id === undefined || id === '') throw badRequest(`${Header.fileId} is missing or empty`);
  if (id.length > MAX_ID_LENGTH) throw badRequest(`${Header.fileId} is longer than ${MAX_ID_LENGTH} characters`);
  return id;
}

/** docs/design.md §1.3: numbers are plain non-negative decimal integers within 2^53. */
export function readByteCount(req: IncomingMessage, name: string): number | undefined {
  const raw = header(req, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw badRequest(`${name} must be a plain non-negative decimal integer, got "${clip(raw)}"`);
  const value = Number(raw);
  if (value > MAX_SAFE_BYTES) throw badRequest(`${name} must be at most ${MAX_SAFE_BYTES}`);
  return value;
}

const MAX_NAME_LENGTH = 4096;
// type "/" subtype, then optional parameters; keeps header injection and junk out of stored metadata.
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=("[^"\\]*"|[\w!#$&^.+-]+))*$/;

/** A media type fit to store and serve back, or undefined. */
export function mediaType(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= 255 && MEDIA_TYPE.test(value) ? value : undefined;
}

export function readAppendHeaders(req: IncomingMessage): AppendHeaders {
  const id = readFileId(req);
  const start = readByteCount(req, Header.startByte) ?? 0;
  const size = readByteCount(req, Header.fileSize);
  const contentLength = readByteCount(req, 'content-length');
  const noRestart = readFlag(req, Header.noRestart);

  let name: string | undefined;
  const rawName = header(req, Header.fileName);
  if (rawName !== undefined) {
    if (rawName.length > MAX_NAME_LENGTH) throw badRequest(`${Header.fileName} is longer than ${MAX_NAME_LENGTH} characters`);
    try {
      name = plainName(decodeURIComponent(rawName));
    } catch {
      throw badRequest(`${Header.fileName} must be percent-encoded UTF-8`);
    }
  }

  const type = header(req, Header.fileType);
  if (type !== undefined && (type.length > 255 || !MEDIA_TYPE.test(type))) {
    throw badRequest(`${Header.fileType} must be a media type such as video/mp4`);
  }
  return { id, start, size, name, type, contentLength, noRestart };
}

/** A marker header: absent, or exactly `1`. */
export function readFlag(req: IncomingMessage, name: string): boolean {
  const value = header(req, name);
  if (value !== undefined && value !== '1') throw badRequest(`${name} must be 1 when present, got "${clip(value)}"`);
  return value === '1';
}

// C0 and C1 controls, and the bidirectional overrides, embeddings, isolates and marks that make
// "photo\u202Egpj.exe" read as "photoexe.jpg".
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name as people will see it: deceptive and control characters stripped; nothing left means none. */
export function plainName(name: string): string | undefined {
  const plain = name.replace(DECEPTIVE, '').trim();
  return plain === '' ? undefined : plain;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
