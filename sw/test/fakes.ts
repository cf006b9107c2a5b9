// Test doubles for the engine: a scripted network and an in-memory queue.
import { describe, type Notice } from '../../common/i18n/catalogue.js';
import { Header } from '../../common/protocol.js';
import type { UploadRecord } from '../engine/record.js';
import type { QueuePort } from '../engine/store-port.js';
import { FerryProtocol } from '../engine/protocols/ferry.js';
import type { FetchLike } from '../engine/protocols/port.js';
import type { LoopDeps, RunSource } from '../engine/upload-loop.js';

export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  signal: AbortSignal | undefined;
}

type Handler = (request: SeenRequest) => Response | Promise<Response>;

/**
 * A fetch whose answers the test scripts one by one: `respondWith` queues a
 * handler for the next request of a method; unscripted status polls answer
 * with `statusOffset`.
 */
export class ScriptedNetwork {
  readonly requests: SeenRequest[] = [];
  private readonly script: Array<{ method: string; handler: Handler }> = [];
  statusOffset = 0;

  respondWith(method: 'GET' | 'POST' | 'DELETE', handler: Handler): this {
    this.script.push({ method, handler });
    return this;
  }

  readonly fetch: FetchLike = async (url, init) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = init.body instanceof Blob ? new Uint8Array(await init.body.arrayBuffer()) : undefined;
    const request: SeenRequest = { url, method: init.method ?? 'GET', headers, body, signal: init.signal ?? undefined };
    this.requests.push(request);
    const index = this.script.findIndex((entry) => entry.method === request.method);
    if (index < 0) {
      if (request.method === 'GET') return held(this.statusOffset);
      // A 400 fails the upload at once, so a test that scripts too few answers fails instead of hanging.
      return new Response(`unscripted ${request.method} in the test`, { status: 400 });
    }
    const [{ handler }] = this.script.splice(index, 1);
    return handler!(request);
  };

  appends(): SeenRequest[] {
    return this.requests.filter((request) => request.method === 'POST');
  }
}

export function held(offset: number, complete = false): Response {
  return new Response(`${offset}\n`, {
    status: 200,
    headers: { [Header.uploadOffset]: String(offset), ...(complete ? { [Header.uploadComplete]: '1' } : {}) },
  });
}

export function conflict(offset: number): Response {
  return new Response(`${offset}\n`, { status: 409, headers: { [Header.uploadOffset]: String(offset) } });
}

/** An append answered as the server would: accepted from its start, completing at `size`. */
export function accept(request: SeenRequest, size: number): Response {
  const end = Number(request.headers[Header.startByte]) + (request.body?.length ?? 0);
  return held(end, end === size);
}

/** A request that never answers until it is aborted, like a silent connection. */
export function hang(request: SeenRequest): Promise<Response> {
  return new Promise((_, reject) => {
    const fail = () => reject(new DOMException('aborted', 'AbortError'));
    if (request.signal?.aborted) fail();
    request.signal?.addEventListener('abort', fail);
  });
}

export class MemoryQueue implements QueuePort {
  readonly records = new Map<string, UploadRecord>();
  readonly files = new Map<string, Blob>();
  readonly history: UploadRecord[] = [];

  add(record: UploadRecord, file: Blob): void {
    this.records.set(record.id, record);
    this.files.set(record.id, file);
  }

  /** Set to make the next putFile fail, as a full browser quota does. */
  putFails: Error | undefined;
  /** Bytes of Files that still fit, as a browser quota would have it. */
  room = Infinity;
  /** Transactions that added records. */
  additions = 0;

  async addRecords(entries: ReadonlyArray<{ record: UploadRecord; file?: Blob }>) {
    this.additions += 1;
    if (entries.some((entry) => entry.file) && this.putFails) throw this.putFails;
    const bytes = entries.reduce((sum, entry) => sum + (entry.file?.size ?? 0), 0);
    if (bytes > this.room) throw new DOMException('quota', 'QuotaExceededError');
    this.room -= bytes;
    for (const { record, file } of entries) {
      this.records.set(record.id, record);
      if (file) this.files.set(record.id, file);
    }
  }

  async putFile(id: string, file: Blob) {
    if (this.putFails) throw this.putFails;
    this.files.set(id, file);
  }

  async get(id: string) {
    return this.records.get(id);
  }

  async all() {
    return [...this.records.values()];
  }

  async file(id: string) {
    return this.files.get(id);
  }

  async update(id: string, patch: Partial<UploadRecord>, dropFile = false) {
    return this.patch(id, patch, () => true, dropFile);
  }

  async updateRunnable(id: string, patch: Partial<UploadRecord>, dropFile = false) {
    return this.patch(id, patch, (record) => ['queued', 'uploading', 'waiting-for-network'].includes(record.state), dropFile);
  }

  async remove(id: string) {
    this.records.delete(id);
    this.files.delete(id);
  }

  private patch(id: string, patch: Partial<UploadRecord>, allowed: (record: UploadRecord) => boolean, dropFile: boolean) {
    const record = this.records.get(id);
    if (!record || !allowed(record)) return undefined;
    const next = { ...record, ...patch };
    this.records.set(id, next);
    if (dropFile) this.files.delete(id);
    this.history.push(next);
    return next;
  }
}

/** What a record's notice says in English, as the page would show it. */
export function said(record: { notice?: Notice } | undefined): string | undefined {
  return record?.notice ? describe('en', record.notice) : undefined;
}

export function recordFor(id: string, size: number, patch: Partial<UploadRecord> = {}): UploadRecord {
  return { id, name: `${id}.bin`, type: 'application/octet-stream', size, lastModified: 1, state: 'queued', offset: 0, failures: 0, addedAt: Date.now(), ...patch };
}

export function bytes(size: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) % 251;
  return data;
}

/** One upload 'f' of `size` known bytes, a scripted network, and loop dependencies that never really sleep. */
export function loopSetup(size: number) {
  const network = new ScriptedNetwork();
  const queue = new MemoryQueue();
  const data = bytes(size);
  queue.add(recordFor('f', size), new Blob([data]));
  const sleeps: number[] = [];
  const deps: LoopDeps = {
    protocol: new FerryProtocol(network.fetch),
    store: queue,
    now: () => Date.now(),
    sleep: async (ms) => void sleeps.push(ms),
    report: () => undefined,
    random: () => 1,
    pollIntervalMs: 10_000,
  };
  return { network, queue, data, deps, sleeps };
}

/** What the scheduler would start upload `id` from, read from the store. */
export async function sourceOf(deps: Pick<LoopDeps, 'store'>, id: string): Promise<RunSource> {
  const record = await deps.store.get(id);
  if (!record) throw new Error(`no record ${id}`);
  return { record, file: await deps.store.file(id), handed: false };
}
