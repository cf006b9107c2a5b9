// What a page may give with its files (metadata, headers), checked before anything is stored, and
// metadata as every protocol carries it: tus Upload-Metadata, `key base64(value)` pairs.
import type { UploadOptions } from './messages.js';

/** One metadata value at most this long (in UTF-8 bytes), all of them together at most MAX_METADATA_BYTES. */
export const MAX_METADATA_VALUE_BYTES = 4096;
const MAX_METADATA_BYTES = 6144;
/** tus: "The key MUST NOT contain spaces and commas and MUST NOT be empty"; Ferry keeps keys to visible ASCII. */
const METADATA_KEY = /^[!-+\--~]{1,128}$/;
/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the protocols write themselves; a page's own would corrupt the exchange. */
const RESERVED_HEADER = /^(content-(length|type|digest|disposition)|repr-digest|transfer-encoding|host|connection|tus-resumable|upload-.*|x-file-.*|x-start-byte|x-no-restart|x-checked-digest|x-progress-poll)$/i;

/** A sentence saying what is wrong with `options`, or undefined when the worker can keep them. */
export function uploadOptionsProblem(options: UploadOptions): string | undefined {
  const { target, metadata, headers } = options;
  if (target !== undefined && typeof target !== 'string') return 'target must be a string such as "tus:https://example.com/files/"';
  if (metadata !== undefined) {
    if (!isStringRecord(metadata)) return 'metadata must be an object of string values';
    let total = 0;
    for (const [key, value] of Object.entries(metadata)) {
      if (!METADATA_KEY.test(key)) return `metadata key "${key.slice(0, 40)}" cannot be carried: keys are 1 to 128 visible ASCII characters, with no space or comma`;
      const bytes = new TextEncoder().encode(value).length;
      if (bytes > MAX_METADATA_VALUE_BYTES) return `metadata "${key}" is ${bytes} bytes long; a value may have at most ${MAX_METADATA_VALUE_BYTES}`;
      total += key.length + bytes;
    }
    if (total > MAX_METADATA_BYTES) return `metadata takes ${total} bytes; all of it together may take at most ${MAX_METADATA_BYTES}`;
  }
  if (headers !== undefined) {
    if (!isStringRecord(headers)) return 'headers must be an object of string values';
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name)) return `"${name.slice(0, 40)}" is not a header name`;
      if (RESERVED_HEADER.test(name)) return `the header "${name}" is written by the upload protocol itself, and cannot be set`;
      if (/[\0\r\n]/.test(value)) return `the header "${name}" has a line break or a NUL in its value`;
    }
  }
  return undefined;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === 'string');
}

/** Upload-Metadata: `key base64(value)` pairs; empty values are sent as the bare key. */
export function encodeUploadMetadata(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => (value ? `${key} ${base64(value)}` : key))
    .join(',');
}

/** The file's name and type as tus-js-client's users send them, then the page's own metadata. */
export function metadataWithFile(name: string, type: string, metadata: Record<string, string> = {}): Record<string, string> {
  return { filename: name, filetype: type, ...metadata };
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
