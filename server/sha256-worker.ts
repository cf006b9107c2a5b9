// The thread that hashes upload bytes, so that SHA-256 (about 0.8 s of CPU a GiB)
// never runs on the thread that reads sockets. It reads the bytes back from the
// file they were just written to (the page cache), so no copy crosses threads.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export type HashRequest =
  | { op: 'file'; ids: number[]; path: string; start: number; end: number; ticket: number }
  | { op: 'digest'; id: number; ticket: number }
  | { op: 'drop'; id: number };

export type HashReply = { ticket: number; digest?: Uint8Array; error?: string };

const hashes = new Map<number, Hash>();
const buffer = Buffer.allocUnsafe(1 << 20);

function hashOf(id: number): Hash {
  let hash = hashes.get(id);
  if (!hash) hashes.set(id, (hash = createHash('sha256')));
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
  try {
    if (request.op === 'file') {
      feedFromFile(request.ids, request.path, request.start, request.end);
      parentPort!.postMessage({ ticket: request.ticket } satisfies HashReply);
    } else {
      const digest = hashOf(request.id).digest();
      hashes.delete(request.id);
      parentPort!.postMessage({ ticket: request.ticket, digest } satisfies HashReply);
    }
  } catch (error) {
    parentPort!.postMessage({ ticket: request.ticket, error: String(error) } satisfies HashReply);
  }
});
