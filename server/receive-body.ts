// Streams one request body into an open upload, with bounded memory, until the
// body ends, the client goes away, a newer request takes over, or a limit or
// the disk says no. Whatever arrived and was written stays written.
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { RunningSha256 } from './sha256-threads.js';
import type { OpenUpload } from './store/port.js';
import type { Lease } from './writers.js';

export type BodyOutcome =
  | { kind: 'end' }
  | { kind: 'aborted' }
  | { kind: 'superseded' }
  | { kind: 'too-large' }
  | { kind: 'write-failed'; error: Error };

class TooLarge extends Error {}

// Chunks wait here while a write is in flight; writev then takes them as one batch.
const BUFFER_BYTES = 1 << 20;

/** `bodyHash`, when given, is fed exactly the bytes written, in order (for Content-Digest). */
export function receiveBody(req: IncomingMessage, upload: OpenUpload, limit: number, lease: Lease, bodyHash?: RunningSha256): Promise<BodyOutcome> {
  const append = (chunks: Buffer[], done: (error?: Error | null) => void): void => {
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (upload.offset + total > limit) return done(new TooLarge());
    lease.touch();
    upload.write(chunks, bodyHash).then(() => done(), (error: Error) => done(error));
  };
  const sink = new Writable({
    highWaterMark: BUFFER_BYTES,
    write: (chunk: Buffer, _encoding, done) => append([chunk], done),
    writev: (entries, done) => append(entries.map((entry) => entry.chunk as Buffer), done),
  });

  return new Promise((resolve) => {
    let stopReason: 'aborted' | 'superseded' | undefined;
    const stop = (reason: 'aborted' | 'superseded') => {
      if (stopReason || sink.writableFinished) return;
      stopReason = reason;
      req.unpipe(sink);
      sink.end(); // lets the write in flight finish; nothing new is taken
    };
    const onSuperseded = () => stop('superseded');
    lease.superseded.addEventListener('abort', onSuperseded, { once: true });
    if (lease.superseded.aborted) onSuperseded();
    req.on('data', () => lease.touch());
    req.on('close', () => {
      if (!req.complete) stop('aborted');
    });

    finished(sink).then(
      () => resolve(stopReason ? { kind: stopReason } : { kind: 'end' }),
      (error: Error) => {
        req.unpipe(sink);
        resolve(error instanceof TooLarge ? { kind: 'too-large' } : { kind: 'write-failed', error });
      },
    ).finally(() => lease.superseded.removeEventListener('abort', onSuperseded));
    if (!stopReason) req.pipe(sink);
  });
}
