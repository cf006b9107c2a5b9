// The protocol client: the two calls of the resumable loop, and cancel, over an
// injected fetch so that unit tests can script the network. Every failure is thrown,
// as a NetworkError (no answer) or a ServerError (an answer that is not one we use).
import { Header, Problem, Route } from '../../common/protocol.js';
import { NetworkError, ServerError } from './errors.js';
import { classify } from './policy.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface Held {
  offset: number;
  complete: boolean;
  /** Bytes received including an open append's not yet verified ones, when more than `offset`. */
  received?: number;
}

export type AppendAnswer =
  | { kind: 'ok' | 'conflict'; offset: number; complete: boolean }
  /** The body did not match its Content-Digest: dropped, the held offset unchanged. */
  | { kind: 'corrupted'; offset: number }
  /** The whole file did not match its Repr-Digest: the server emptied the upload. */
  | { kind: 'reset' };

export interface FileFacts {
  id: string;
  size: number;
  name: string;
  type: string;
}

export class ProtocolClient {
  constructor(private readonly fetch: FetchLike, private readonly base = '') {}

  /**
   * GET /status: the bytes the server holds, an offset the next append is accepted at (the server
   * stops a live append of ours first). `progressOnly` asks without stopping it, and is promised nothing.
   */
  async status(id: string, signal: AbortSignal, progressOnly = false): Promise<Held> {
    const headers = { [Header.fileId]: id, ...(progressOnly ? { [Header.progressPoll]: '1' } : {}) };
    const response = await this.send(Route.status, { method: 'GET', headers, signal, cache: 'no-store' });
    const text = await response.text();
    if (response.status !== 200) throw new ServerError(response.status, text.trim());
    const received = Number(response.headers.get(Header.uploadReceived) ?? NaN);
    return {
      offset: offsetOf(response, text),
      complete: response.headers.get(Header.uploadComplete) === '1',
      ...(Number.isSafeInteger(received) ? { received } : {}),
    };
  }

  /** POST /upload of `body` at `start`. A Blob slice, never an ArrayBuffer (docs/design.md §3.1: 25× slower). */
  async append(file: FileFacts, start: number, body: Blob, signal: AbortSignal, extra: Record<string, string> = {}): Promise<AppendAnswer> {
    const response = await this.send(Route.upload, {
      method: 'POST',
      headers: {
        [Header.fileId]: file.id,
        [Header.startByte]: String(start),
        // We never mean to restart: after a whole-file mismatch the server has already emptied the upload.
        [Header.noRestart]: '1',
        [Header.fileSize]: String(file.size),
        [Header.fileName]: encodeURIComponent(file.name),
        ...(file.type ? { [Header.fileType]: file.type } : {}),
        ...extra,
      },
      body,
      signal,
    });
    const text = await response.text();
    const problem = problemOf(response, text);
    if (problem?.type === Problem.contentDigestMismatch) return { kind: 'corrupted', offset: offsetOf(response, '') };
    if (problem?.type === Problem.reprDigestMismatch) return { kind: 'reset' };
    // Past a quota: the server's sentence says what to do, and sending again will not help.
    if (problem?.type === Problem.quotaExceeded) throw new ServerError(response.status, problem.detail ?? text.trim(), undefined, problem.type);
    const kind = classify(response.status);
    if (kind === 'retry' || kind === 'fatal') {
      const limit = Number(response.headers.get(Header.uploadLimit) ?? NaN);
      throw new ServerError(response.status, text.trim(), Number.isSafeInteger(limit) ? limit : undefined);
    }
    return { kind, offset: offsetOf(response, text), complete: response.headers.get(Header.uploadComplete) === '1' };
  }

  /** DELETE /upload: the server forgets the upload and its bytes. */
  async cancel(id: string, signal: AbortSignal): Promise<void> {
    const response = await this.send(Route.upload, { method: 'DELETE', headers: { [Header.fileId]: id }, signal });
    if (response.status !== 204 && response.status !== 200) throw new ServerError(response.status, await response.text());
  }

  private async send(route: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(`${this.base}${route}`, { credentials: 'same-origin', ...init });
    } catch (error) {
      throw new NetworkError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
}

function problemOf(response: Response, text: string): { type?: string; detail?: string } | undefined {
  if (response.headers.get('content-type') !== 'application/problem+json') return undefined;
  try {
    return JSON.parse(text) as { type?: string; detail?: string };
  } catch {
    return undefined;
  }
}

function offsetOf(response: Response, text: string): number {
  const raw = response.headers.get(Header.uploadOffset) ?? text.trim();
  const offset = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(offset)) throw new ServerError(response.status, `the server sent no usable offset ("${raw.slice(0, 40)}")`);
  return offset;
}
