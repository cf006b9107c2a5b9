// Running digests computed on a worker thread: SHA-256 for every file, and per append the
// digest its client sent (SHA-256, or SHA-1 for a tus Upload-Checksum). On the socket thread
// hashing held 50 concurrent uploads to 0.79 × a plain sink, off it 0.89.
//
// The one thread is shared by every owner, so work reaches it through lanes (one per owner), taken
// in turn, and a long read of a file goes in slices: one owner re-hashing a GiB cannot hold
// another's append behind it for more than one slice (issue 28, H1).
import { Worker } from 'node:worker_threads';
import type { HashAlgorithm, HashReply, HashRequest } from './hash-worker.js';

export type { HashAlgorithm };

/** Whose work a hash is: an owner's key, or SHARED for work nobody in particular asked for. */
export type Lane = string;
export const SHARED: Lane = '';

/** A digest whose state lives on the hashing thread. */
export interface RunningHash {
  readonly id: number;
  readonly lane: Lane;
  /** The digest of everything fed; the hash is used up. */
  digest(): Promise<Buffer>;
  /** A new hash holding this one's state as it stands after everything fed so far. */
  copy(): RunningHash;
  /** Forget the state without a digest. Harmless after digest(). */
  dispose(): void;
}

interface Job {
  request: HashRequest;
  transfer: ArrayBuffer[];
  /** Undefined for requests nobody waits for (start, copy, drop). */
  settle?: { resolve(reply: HashReply): void; reject(error: Error): void };
}

/** Bytes of a file hashed in one request: about 7 ms of the thread at 0.9 s a GiB. */
const FILE_SLICE = 8 * 1024 * 1024;
/** Requests handed to the thread at once: two, so it never idles between answers. */
const IN_FLIGHT = 2;

let worker: Worker | undefined;
const lanes = new Map<Lane, Job[]>();
const inFlight = new Map<number, Job>();
let nextTicket = 0;
let nextId = 0;

/** Bytes of stored files handed to the thread so far: what an operator (and a test) can watch. */
export const hashedFromFiles = { bytes: 0 };

function thread(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./hash-worker.js', import.meta.url));
  started.on('message', (reply: HashReply) => {
    const job = inFlight.get(reply.ticket);
    inFlight.delete(reply.ticket);
    job?.settle?.resolve(reply);
    dispatch();
  });
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const job of inFlight.values()) job.settle?.reject(error);
    inFlight.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the hashing thread exited with ${code}`)));
  // Idle, the thread must not keep the process alive; while an answer is awaited, it must.
  started.unref();
  worker = started;
  return started;
}

/** Hand the thread the next job of each lane in turn, keeping IN_FLIGHT answers outstanding. */
function dispatch(): void {
  while (inFlight.size < IN_FLIGHT && lanes.size > 0) {
    const [lane, jobs] = lanes.entries().next().value as [Lane, Job[]];
    const job = jobs.shift()!;
    lanes.delete(lane);
    if (jobs.length > 0) lanes.set(lane, jobs); // to the back of the round
    const hashing = thread();
    if ('ticket' in job.request) inFlight.set(job.request.ticket, job);
    hashing.postMessage(job.request, job.transfer);
  }
  if (inFlight.size === 0) worker?.unref();
  else worker?.ref();
}

function enqueue(lane: Lane, job: Job): void {
  const jobs = lanes.get(lane);
  if (jobs) jobs.push(job);
  else lanes.set(lane, [job]);
  dispatch();
}

async function ask(lane: Lane, request: HashRequest & { ticket: number }, transfer: ArrayBuffer[] = []): Promise<HashReply> {
  const reply = await new Promise<HashReply>((resolve, reject) => enqueue(lane, { request, transfer, settle: { resolve, reject } }));
  if (reply.error) throw new Error(reply.error);
  return reply;
}

/** Requests no answer is awaited for still queue in their lane: a `drop` must never pass a feed of its hash. */
function tell(lane: Lane, request: HashRequest): void {
  enqueue(lane, { request, transfer: [] });
}

function hashIn(lane: Lane, id: number): RunningHash {
  return {
    id,
    lane,
    async digest() {
      const reply = await ask(lane, { op: 'digest', id, ticket: nextTicket++ });
      return Buffer.from(reply.digest!);
    },
    copy() {
      const to = nextId++;
      tell(lane, { op: 'copy', from: id, to });
      return hashIn(lane, to);
    },
    dispose() {
      tell(lane, { op: 'drop', id });
    },
  };
}

export function runningHash(algorithm: HashAlgorithm = 'sha256', lane: Lane = SHARED): RunningHash {
  const id = nextId++;
  // One lane keeps its order: the hash exists, with its algorithm, before anything is fed to it.
  if (algorithm !== 'sha256') tell(lane, { op: 'start', id, algorithm });
  return hashIn(lane, id);
}

/** Feed bytes `start`..`end` of the file at `path` to every hash in `hashes` (all of one lane), a slice at a time. */
export async function feedFromFile(hashes: readonly RunningHash[], path: string, start: number, end: number): Promise<void> {
  if (hashes.length === 0 || end <= start) return;
  const ids = hashes.map((hash) => hash.id);
  hashedFromFiles.bytes += end - start;
  for (let at = start; at < end; at += FILE_SLICE) {
    await ask(hashes[0]!.lane, { op: 'file', ids, path, start: at, end: Math.min(end, at + FILE_SLICE), ticket: nextTicket++ });
  }
}

/** Feed `chunks` to every hash in `hashes` (all of one lane; one copy, handed to the hashing thread). */
export async function feedBytes(hashes: readonly RunningHash[], chunks: readonly Uint8Array[]): Promise<void> {
  if (hashes.length === 0 || chunks.length === 0) return;
  const bytes = joined(chunks);
  await ask(hashes[0]!.lane, { op: 'bytes', ids: hashes.map((hash) => hash.id), bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer]);
}

/**
 * A SHA-256 whose state is plain bytes (hash-wasm's saved state), so it can be stored beside the
 * upload and continued by any process. `undefined` is the empty hash.
 */
export async function advanceSavedSha256(state: Uint8Array | undefined, chunks: readonly Uint8Array[], lane: Lane = SHARED): Promise<Uint8Array> {
  const bytes = joined(chunks);
  return (await ask(lane, { op: 'advance', state, bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer])).state!;
}

export async function finishSavedSha256(state: Uint8Array | undefined, chunks: readonly Uint8Array[], lane: Lane = SHARED): Promise<Buffer> {
  const bytes = joined(chunks);
  return Buffer.from((await ask(lane, { op: 'finish', state, bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer])).digest!);
}

/** One fresh buffer that owns its memory, so it can be transferred rather than cloned. */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
