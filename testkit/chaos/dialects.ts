// The three ways the schedule talks to Ferry's server: its own protocol (status/append), tus 1.0
// and the IETF draft (interop 8). Each turns "where are you" and "append these bytes" into requests.
import { send, type Reply, type WireRequest } from './wire.js';

export type DialectName = 'ferry' | 'tus' | 'ietf';
export const DIALECTS: readonly DialectName[] = ['ferry', 'tus', 'ietf'];

/** What a status (or HEAD) said. */
export interface Where {
  offset: number;
  complete: boolean;
}

export interface Dialect {
  readonly name: DialectName;
  /** Create the upload if the protocol has a creation step; returns the path that names it. */
  create(port: number, cookie: string, id: string, size: number): Promise<string | undefined>;
  status(port: number, cookie: string, path: string): Promise<Where | undefined>;
  append(path: string, cookie: string, start: number, body: Buffer, size: number): WireRequest;
  /** The offset an answer to an append acknowledges, when it was a success. */
  acknowledged(reply: Reply): number | undefined;
  /** True when the answer refused the append because the offset did not match. */
  offsetRefused(reply: Reply): boolean;
  /** The offset a refusal says the server holds, if it says. */
  heldIn(reply: Reply): number | undefined;
}

const offsetOf = (reply: Reply): number | undefined => {
  const value = reply.headers['upload-offset'];
  return value === undefined ? undefined : Number(value);
};

/** A 409 for the offset itself (not for a newer request, nor a completed upload), in every dialect's words. */
const offsetRefused = (reply: Reply): boolean => reply.status === 409 && reply.text.includes('but the server holds');

const ferry: Dialect = {
  name: 'ferry',
  async create(_port, _cookie, id) {
    return id; // the client names the upload; its first append creates it
  },
  async status(port, cookie, id) {
    const reply = await send(port, { method: 'GET', path: '/status', headers: { cookie, 'x-file-id': id } });
    if (reply?.status !== 200) return undefined;
    return { offset: Number(reply.text), complete: reply.headers['x-upload-complete'] === '1' };
  },
  append(id, cookie, start, body, size) {
    // As Ferry's worker does: an append only continues (a late one at 0 must not start the upload over).
    const headers = { cookie, 'x-file-id': id, 'x-start-byte': String(start), 'x-file-size': String(size), 'x-no-restart': '1' };
    return { method: 'POST', path: '/upload', headers, body };
  },
  acknowledged: (reply) => (reply.status === 200 ? Number(reply.text) : undefined),
  offsetRefused,
  heldIn: offsetOf,
};

const TUS = { 'tus-resumable': '1.0.0' };

const tus: Dialect = {
  name: 'tus',
  async create(port, cookie, _id, size) {
    const reply = await send(port, { method: 'POST', path: '/uploads/', headers: { cookie, ...TUS, 'upload-length': String(size) } });
    return reply?.status === 201 ? new URL(reply.headers.location!, 'http://x').pathname : undefined;
  },
  async status(port, cookie, path) {
    const reply = await send(port, { method: 'HEAD', path, headers: { cookie, ...TUS } });
    if (reply?.status !== 200) return undefined;
    const offset = offsetOf(reply)!;
    return { offset, complete: reply.headers['upload-length'] !== undefined && Number(reply.headers['upload-length']) === offset };
  },
  append(path, cookie, start, body) {
    return { method: 'PATCH', path, headers: { cookie, ...TUS, 'upload-offset': String(start), 'content-type': 'application/offset+octet-stream' }, body };
  },
  acknowledged: (reply) => (reply.status === 204 ? offsetOf(reply) : undefined),
  offsetRefused,
  heldIn: offsetOf,
};

const IETF = { 'upload-draft-interop-version': '8' };

const ietf: Dialect = {
  name: 'ietf',
  async create(port, cookie, _id, size) {
    const reply = await send(port, { method: 'POST', path: '/uploads/', headers: { cookie, ...IETF, 'upload-complete': '?0', 'upload-length': String(size) } });
    return reply?.status === 201 ? new URL(reply.headers.location!, 'http://x').pathname : undefined;
  },
  async status(port, cookie, path) {
    const reply = await send(port, { method: 'HEAD', path, headers: { cookie, ...IETF } });
    if (reply?.status !== 204) return undefined;
    return { offset: offsetOf(reply)!, complete: reply.headers['upload-complete'] === '?1' };
  },
  append(path, cookie, start, body, size) {
    const last = start + body.length === size;
    return {
      method: 'PATCH', path,
      headers: { cookie, ...IETF, 'upload-offset': String(start), 'upload-complete': last ? '?1' : '?0', 'content-type': 'application/partial-upload' },
      body,
    };
  },
  acknowledged: (reply) => (reply.status === 200 || reply.status === 204 ? offsetOf(reply) : undefined),
  offsetRefused,
  heldIn: offsetOf,
};

export const dialects: Record<DialectName, Dialect> = { ferry, tus, ietf };
