// Streams one request body into an open upload, with bounded memory, until the
// body ends, the client goes away or trickles, a newer request takes over, or a
// limit or the disk says no. Whatever arrived and was written stays written.
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BodyTap } from './body-tap.js';
import type { RunningHash } from './hash-thread.js';
import type { BodyBudget } from './quota-ledger.js';
import type { OpenUpload } from './store/port.js';
import type { Lease } from './writers.js';

export type BodyOutcome =
  | { kind: 'end' }
  | { kind: 'aborted' }
  | { kind: 'superseded' }
  /** Slower than the minimum body rate: closed, what arrived is kept. */
  | { kind: 'too-slow' }
  | { kind: 'too-large' }
  /** A body of no stated size that ran into the owner's byte quota, others' growth counted. */
  | { kind: 'past-quota' }
  | { kind: 'write-failed'; error: Error };

class TooLarge extends Error {}
class PastQuota extends Error {}

/** How far a body may go: the most bytes its upload may hold, and for a body of no stated size, the owner's budget. */
export interface BodyLimits {
  limit: number;
  budget?: BodyBudget;
}

// Chunks wait here while a write is in flight; writev then takes them as one batch.
const BUFFER_BYTES = 1 << 20;

/** The slowest body kept open: `bytesPerSecond` averaged over `windowMs`. */
export interface MinRate {
  bytesPerSecond: number;
  windowMs: number;
}

/** `bodyHash`, when given, is fed exactly the bytes written, in order (for Content-Digest). */
export function receiveBody(req: IncomingMessage, tap: BodyTap, upload: OpenUpload, { limit, budget }: BodyLimits, lease: Lease, minRate: MinRate, bodyHash?: RunningHash): Promise<BodyOutcome> {
  const append = (chunks: Buffer[], done: (error?: Error | null) => void): void => {
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (upload.offset + total > limit) return done(new TooLarge());
    lease.touch();
    const allowed = budget ? budget.allows(upload.offset, total) : Promise.resolve(true);
    allowed.then((ok) => (ok ? upload.write(chunks, bodyHash).then(() => done()) : done(new PastQuota())))
      .catch((error: Error) => done(error));
  };
  const sink = new Writable({
    highWaterMark: BUFFER_BYTES,
    write: (chunk: Buffer, _encoding, done) => append([chunk], done),
    writev: (entries, done) => append(entries.map((entry) => entry.chunk as Buffer), done),
  });

  return new Promise((resolve) => {
    let stopReason: 'aborted' | 'superseded' | 'too-slow' | undefined;
    const stop = (reason: 'aborted' | 'superseded' | 'too-slow') => {
      if (stopReason || sink.writableFinished) return;
      stopReason = reason;
      req.unpipe(sink);
      sink.end(); // lets the writes in flight finish; nothing new is taken
    };
    const onSuperseded = () => stop('superseded');
    const guard = watchRate(minRate, () => stop('too-slow'));
    lease.superseded.addEventListener('abort', onSuperseded, { once: true });

    finished(sink).then(
      () => resolve(stopReason ? { kind: stopReason } : { kind: 'end' }),
      (error: Error) => {
        req.unpipe(sink);
        resolve(error instanceof TooLarge ? { kind: 'too-large' } : error instanceof PastQuota ? { kind: 'past-quota' } : { kind: 'write-failed', error });
      },
    ).finally(() => {
      guard.stop();
      lease.superseded.removeEventListener('abort', onSuperseded);
    });

    // What arrived while the upload was being opened goes first.
    const early = tap.take();
    for (const chunk of early.chunks) sink.write(chunk);
    guard.received(early.chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    if (lease.superseded.aborted) return onSuperseded();
    if (early.ended) return void sink.end();
    if (early.gone) return stop('aborted');
    req.on('data', (chunk: Buffer) => {
      lease.touch();
      guard.received(chunk.length);
    });
    req.on('close', () => {
      if (!req.complete) stop('aborted');
    });
    req.pipe(sink);
  });
}

/**
 * Calls `tooSlow` once fewer than `bytesPerSecond × windowMs` bytes arrived in the last window
 * (checked every tenth of it, once a whole window has passed): a trickling body holds a socket
 * and a file for nothing.
 */
function watchRate(min: MinRate, tooSlow: () => void): { received(bytes: number): void; stop(): void } {
  let total = 0;
  const samples: Array<{ at: number; total: number }> = [{ at: Date.now(), total: 0 }];
  const timer = setInterval(() => {
    const now = Date.now();
    samples.push({ at: now, total });
    while (samples.length > 1 && samples[1]!.at <= now - min.windowMs) samples.shift();
    const oldest = samples[0]!;
    if (now - oldest.at >= min.windowMs && total - oldest.total < (min.bytesPerSecond * min.windowMs) / 1000) tooSlow();
  }, min.windowMs / 10);
  timer.unref();
  return {
    received: (bytes) => void (total += bytes),
    stop: () => clearInterval(timer),
  };
}
