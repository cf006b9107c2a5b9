import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header } from '../common/protocol.js';
import type { ProblemError } from './errors.js';
import type { Held } from './store/port.js';

/** Headers every protocol answer carries: never cached, since offsets change by the second. */
export function apiHeaders(res: ServerResponse): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
}

/** Offset headers, per docs/design.md §1.3: Upload-Offset always, X-File-Size when known, X-Upload-Complete once complete. */
export function offsetHeaders(res: ServerResponse, held: Pick<Held, 'offset' | 'size' | 'complete'>): void {
  res.setHeader(Header.uploadOffset, String(held.offset));
  if (held.size !== undefined) res.setHeader(Header.fileSize, String(held.size));
  if (held.complete) res.setHeader(Header.uploadComplete, '1');
}

const invited = new WeakSet<IncomingMessage>();

/** "Expect: 100-continue": tell the client to send its body, once it is known the body will be taken. */
export function inviteBody(req: IncomingMessage, res: ServerResponse): void {
  if (!expectsContinue(req) || invited.has(req)) return;
  invited.add(req);
  res.writeContinue();
}

/** A client waiting for "100 Continue" that was never told to send its body: it sends nothing more. */
export function bodyWithheld(req: IncomingMessage): boolean {
  return expectsContinue(req) && !invited.has(req);
}

function expectsContinue(req: IncomingMessage): boolean {
  return req.headers.expect?.toLowerCase() === '100-continue';
}

/**
 * An interim (1xx) response before the final one. Node's API sends only 100, 102 and 103, so this is
 * written on the socket as `writeContinue` does; HTTP/1.1 only, and never once the final response began.
 */
export function sendInterim(req: IncomingMessage, res: ServerResponse, status: number, reason: string, headers: Record<string, string>): boolean {
  if (req.httpVersion !== '1.1' || res.headersSent || !res.socket || res.socket.destroyed) return false;
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return res.socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines}\r\n`) || true;
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendProblem(res: ServerResponse, problem: ProblemError, headers: Record<string, string>): void {
  const body = JSON.stringify({
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    ...(problem.offset === undefined ? {} : { offset: problem.offset }),
    ...problem.extensions,
  });
  res.writeHead(problem.status, { ...headers, 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
