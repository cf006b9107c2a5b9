// Running digests computed on a worker thread: SHA-256 for every file, and per append the
// digest its client sent (SHA-256, or SHA-1 for a tus Upload-Checksum). On the socket thread
// hashing held 50 concurrent uploads to 0.79 × a plain sink, off it 0.89.
import { Worker } from 'node:worker_threads';
import type { HashAlgorithm, HashReply, HashRequest } from './hash-worker.js';

export type { HashAlgorithm };

/** A digest whose state lives on the hashing thread. */
export interface RunningHash {
  readonly id: number;
  /** The digest of everything fed; the hash is used up. */
  digest(): Promise<Buffer>;
  /** Forget the state without a digest. Harmless after digest(). */
  dispose(): void;
}

interface Waiter {
  resolve(reply: HashReply): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
const waiting = new Map<number, Waiter>();
let nextTicket = 0;
let nextId = 0;

function thread(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./hash-worker.js', import.meta.url));
  started.on('message', (reply: HashReply) => {
    waiting.get(reply.ticket)?.resolve(reply);
    waiting.delete(reply.ticket);
    if (waiting.size === 0) started.unref();
  });
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the hashing thread exited with ${code}`)));
  // Idle, the thread must not keep the process alive; while an answer is awaited, it must.
  started.unref();
  worker = started;
  return started;
}

async function ask(request: HashRequest & { ticket: number }, transfer: ArrayBuffer[] = []): Promise<HashReply> {
  const hashing = thread();
  const reply = await new Promise<HashReply>((resolve, reject) => {
    waiting.set(request.ticket, { resolve, reject });
    hashing.ref();
    hashing.postMessage(request, transfer);
  });
  if (reply.error) throw new Error(reply.error);
  return reply;
}

export function runningHash(algorithm: HashAlgorithm = 'sha256'): RunningHash {
  const id = nextId++;
  // Messages arrive in order: the hash exists, with its algorithm, before anything is fed to it.
  if (algorithm !== 'sha256') thread().postMessage({ op: 'start', id, algorithm } satisfies HashRequest);
  return {
    id,
    async digest() {
      const reply = await ask({ op: 'digest', id, ticket: nextTicket++ });
      return Buffer.from(reply.digest!);
    },
    dispose() {
      worker?.postMessage({ op: 'drop', id } satisfies HashRequest);
    },
  };
}

/** Feed bytes `start`..`end` of the file at `path` to every hash in `hashes`, in one read. */
export async function feedFromFile(hashes: readonly RunningHash[], path: string, start: number, end: number): Promise<void> {
  if (hashes.length === 0 || end <= start) return;
  await ask({ op: 'file', ids: hashes.map((hash) => hash.id), path, start, end, ticket: nextTicket++ });
}

/** Feed `chunks` to every hash in `hashes` (one copy, handed to the hashing thread). */
export async function feedBytes(hashes: readonly RunningHash[], chunks: readonly Uint8Array[]): Promise<void> {
  if (hashes.length === 0 || chunks.length === 0) return;
  const bytes = joined(chunks);
  await ask({ op: 'bytes', ids: hashes.map((hash) => hash.id), bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer]);
}

/**
 * A SHA-256 whose state is plain bytes (hash-wasm's saved state), so it can be stored beside the
 * upload and continued by any process. `undefined` is the empty hash.
 */
export async function advanceSavedSha256(state: Uint8Array | undefined, chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  const bytes = joined(chunks);
  return (await ask({ op: 'advance', state, bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer])).state!;
}

export async function finishSavedSha256(state: Uint8Array | undefined, chunks: readonly Uint8Array[]): Promise<Buffer> {
  const bytes = joined(chunks);
  return Buffer.from((await ask({ op: 'finish', state, bytes, ticket: nextTicket++ }, [bytes.buffer as ArrayBuffer])).digest!);
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
