// How many appends may be open at once, per owner and in all: each holds a socket and a
// file, and a server out of descriptors fails everyone. Past a cap the answer is 503 with
// Retry-After, before a byte is read; the client comes back when others have finished.
import { readFileSync } from 'node:fs';
import { HttpError } from './errors.js';

export interface SlotLimits {
  perOwner: number;
  total: number;
}

/** Descriptors kept free for everything but open appends: listening, logs, the hashing thread, downloads. */
const RESERVED_FDS = 64;
/** An open append holds its socket, its file, and sometimes a second file (completion). */
const FDS_PER_APPEND = 3;

/** This process's soft limit on open files (Linux), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** The total cap: the configured one, lowered so that appends alone can never exhaust the descriptors. */
export function totalAppendsFor(configured: number, fileLimit = openFileLimit()): number {
  if (fileLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, Math.floor((fileLimit - RESERVED_FDS) / FDS_PER_APPEND)));
}

export class AppendSlots {
  /** Per owner: open appends by upload key (a ghost and its successor overlap for a moment). */
  private readonly byOwner = new Map<string, Map<string, number>>();
  private open = 0;

  constructor(readonly limits: SlotLimits) {}

  /** Appends open now. */
  get openCount(): number {
    return this.open;
  }

  /**
   * Take a slot for an append of `key` by `owner`, or throw 503. An append of an upload the owner
   * already has open is always let in: it stops that one (a ghost) before it starts.
   */
  take(owner: string, key: string): () => void {
    const mine = this.byOwner.get(owner) ?? new Map<string, number>();
    if (!mine.has(key)) {
      if (mine.size >= this.limits.perOwner) throw busy(`${mine.size} of your uploads are sending at once, the most this server takes; retry shortly`);
      if (this.open >= this.limits.total) throw busy('the server is taking as many uploads as it can; retry shortly');
    }
    mine.set(key, (mine.get(key) ?? 0) + 1);
    this.byOwner.set(owner, mine);
    this.open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = mine.get(key)! - 1;
      if (left > 0) mine.set(key, left);
      else mine.delete(key);
      if (mine.size === 0) this.byOwner.delete(owner);
      this.open -= 1;
    };
  }
}

function busy(reason: string): HttpError {
  return new HttpError(503, reason, undefined, { 'retry-after': '2', connection: 'close' });
}
