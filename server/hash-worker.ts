// The thread that hashes upload bytes, so that SHA-256 (about 0.8 s of CPU a GiB)
// never runs on the thread that reads sockets. The filesystem store has it read the
// bytes back from the file they were just written to (the page cache), so no copy
// crosses threads; the S3 store hands over the bytes it staged.
//
// Two kinds of hash live here: node:crypto ones kept by id (fast, but their state
// cannot leave the process), and resumable hash-wasm states that travel in and out
// with each request, so another server instance can continue a file's digest.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createSHA256, type IHasher } from 'hash-wasm';

export type HashAlgorithm = 'sha256' | 'sha1';

export type HashRequest =
  | { op: 'start'; id: number; algorithm: HashAlgorithm }
  | { op: 'file'; ids: number[]; path: string; start: number; end: number; ticket: number }
  | { op: 'digest'; id: number; ticket: number }
  | { op: 'copy'; from: number; to: number }
  | { op: 'bytes'; ids: number[]; bytes: Uint8Array; ticket: number }
  | { op: 'advance' | 'finish'; state: Uint8Array | undefined; bytes: Uint8Array; ticket: number }
  | { op: 'drop'; id: number };

export type HashReply = { ticket: number; digest?: Uint8Array; state?: Uint8Array; error?: string };

let resumable: Promise<IHasher> | undefined;

/** Continue a saved SHA-256 state (or start one) over `bytes`; give back the new state or the digest. */
async function resume(op: 'advance' | 'finish', state: Uint8Array | undefined, bytes: Uint8Array): Promise<HashReply & { ticket: -1 }> {
  const hasher = await (resumable ??= createSHA256());
  // Nothing awaits from here on, so requests sharing the one hasher never interleave.
  if (state) hasher.load(state);
  else hasher.init();
  hasher.update(bytes);
  return op === 'advance' ? { ticket: -1, state: hasher.save() } : { ticket: -1, digest: hasher.digest('binary') };
}

const hashes = new Map<number, Hash>();
const buffer = Buffer.allocUnsafe(1 << 20);

/** The hash `id`; one never started explicitly is a SHA-256. */
function hashOf(id: number, algorithm: HashAlgorithm = 'sha256'): Hash {
  let hash = hashes.get(id);
  if (!hash) hashes.set(id, (hash = createHash(algorithm)));
  return hash;
}

function feedFromFile(ids: number[], path: string, start: number, end: number): void {
  const fd = openSync(path, 'r');
  try {
    for (let at = start; at < end;) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (read === 0) throw new Error(`${path} ends at ${at}, before ${end}`);
      for (const id of ids) hashOf(id).update(buffer.subarray(0, read));
      at += read;
    }
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (request: HashRequest) => {
  if (request.op === 'drop') {
    hashes.delete(request.id);
    return;
  }
  if (request.op === 'start') {
    hashOf(request.id, request.algorithm);
    return;
  }
  if (request.op === 'copy') {
    hashes.set(request.to, hashOf(request.from).copy());
    return;
  }
  if (request.op === 'advance' || request.op === 'finish') {
    resume(request.op, request.state, request.bytes).then(
      (reply) => parentPort!.postMessage({ ...reply, ticket: request.ticket } satisfies HashReply),
      (error: unknown) => parentPort!.postMessage({ ticket: request.ticket, error: String(error) } satisfies HashReply),
    );
    return;
  }
  try {
    if (request.op === 'bytes') {
      for (const id of request.ids) hashOf(id).update(request.bytes);
      parentPort!.postMessage({ ticket: request.ticket } satisfies HashReply);
    } else if (request.op === 'file') {
      feedFromFile(request.ids, request.path, request.start, request.end);
      parentPort!.postMessage({ ticket: request.ticket } satisfies HashReply);
    } else if (request.op === 'digest') {
      const digest = hashOf(request.id).digest();
      hashes.delete(request.id);
      parentPort!.postMessage({ ticket: request.ticket, digest } satisfies HashReply);
    }
  } catch (error) {
    parentPort!.postMessage({ ticket: request.ticket, error: String(error) } satisfies HashReply);
  }
});
