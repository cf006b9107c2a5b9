// A scripted tus 1.0 / IETF-draft server in memory, for the adapters' unit tests: it keeps
// uploads by URL, appends only at the held offset, and lets a test inject the answers real
// servers give (409, 460, a forgotten URL, a lost append).
import type { FetchLike } from '../engine/protocols/port.js';

export interface SeenCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyLength: number;
}

interface Held {
  bytes: Uint8Array;
  length: number;
}

type Fault = (call: SeenCall) => Response | undefined;

export class FakeResumableServer {
  readonly calls: SeenCall[] = [];
  readonly uploads = new Map<string, Held>();
  /** OPTIONS advertises these (tus). */
  extensions = 'creation,termination,expiration';
  checksumAlgorithms: string | undefined;
  maxSize: number | undefined;
  private readonly faults: Fault[] = [];
  private made = 0;

  constructor(readonly kind: 'tus' | 'ietf', readonly endpoint = 'https://uploads.example/files/') {}

  /** Every call is shown to `fault` first; what it answers (not undefined) is the answer. */
  inject(fault: Fault): this {
    this.faults.push(fault);
    return this;
  }

  /** Forget every upload, as an expiry or a new server would. */
  forgetAll(): void {
    this.uploads.clear();
  }

  only(method: string): SeenCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  readonly fetch: FetchLike = async (url, init) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = init.body instanceof Blob ? new Uint8Array(await init.body.arrayBuffer()) : new Uint8Array(0);
    const call: SeenCall = { method: init.method ?? 'GET', url, headers, bodyLength: body.length };
    this.calls.push(call);
    for (const fault of this.faults) {
      const answer = fault(call);
      if (answer) return answer;
    }
    return this.answer(call, body);
  };

  private answer(call: SeenCall, body: Uint8Array): Response {
    const tus: Record<string, string> = this.kind === 'tus' ? { 'tus-resumable': '1.0.0' } : {};
    if (call.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          'tus-version': '1.0.0', 'tus-extension': this.extensions,
          ...(this.checksumAlgorithms ? { 'tus-checksum-algorithm': this.checksumAlgorithms } : {}),
          ...(this.maxSize === undefined ? {} : { 'tus-max-size': String(this.maxSize) }),
        },
      });
    }
    if (call.method === 'POST' && call.url === this.endpoint) {
      const length = Number(call.headers['upload-length']);
      if (this.maxSize !== undefined && length > this.maxSize) return new Response('too large', { status: 413 });
      const url = `${this.endpoint}${++this.made}`;
      // tus creation-with-upload: the body is the first bytes.
      const first = call.headers['content-type'] === 'application/offset+octet-stream' ? body : new Uint8Array(0);
      this.uploads.set(url, { bytes: first, length });
      return new Response(null, { status: 201, headers: { ...tus, location: url, 'upload-offset': String(first.length), ...(this.kind === 'ietf' ? { 'upload-complete': '?0' } : {}) } as Record<string, string> });
    }
    const held = this.uploads.get(call.url);
    if (!held) return new Response('not found', { status: this.kind === 'tus' ? 404 : 404 });
    const state = (): Record<string, string> => ({
      ...tus,
      'upload-offset': String(held.bytes.length),
      'upload-length': String(held.length),
      ...(this.kind === 'ietf' ? { 'upload-complete': held.bytes.length === held.length ? '?1' : '?0' } : {}),
    });
    if (call.method === 'HEAD') return new Response(null, { status: this.kind === 'tus' ? 200 : 204, headers: state() });
    if (call.method === 'DELETE') {
      this.uploads.delete(call.url);
      return new Response(null, { status: 204 });
    }
    if (call.method === 'PATCH') {
      if (Number(call.headers['upload-offset']) !== held.bytes.length) return new Response('offset mismatch', { status: 409 });
      const next = new Uint8Array(held.bytes.length + body.length);
      next.set(held.bytes);
      next.set(body, held.bytes.length);
      held.bytes = next;
      const done = held.bytes.length === held.length;
      return new Response(null, { status: this.kind === 'ietf' && done ? 200 : 204, headers: state() });
    }
    return new Response('unexpected', { status: 405 });
  }
}
