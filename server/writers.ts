// docs/design.md §1.3, one writer per upload: a newer request stops an older append
// instead of waiting behind it, so a client is never blocked by its own ghost.
// This registry is the in-process lock; redis-writers.ts extends it across instances.
import type { Fence } from './store/port.js';

/** What a running append tells the registry about itself. */
export interface ActiveWriter {
  /**
   * Flush, then tell the bytes that count (`verified`: an append carrying a Content-Digest
   * counts none of its bytes until they match) and all bytes received and durable.
   */
  durableOffset(): Promise<LiveOffsets>;
}

export type StopReason = 'takeover' | 'shutdown' | 'lock-lost';

export class Lease {
  private readonly controller = new AbortController();
  private resolveReleased!: () => void;
  readonly released = new Promise<void>((resolve) => (this.resolveReleased = resolve));
  private lastActivity = Date.now();
  writer: ActiveWriter | undefined;

  constructor(
    readonly key: string,
    private readonly onRelease: (lease: Lease) => void,
  ) {}

  /** Aborts when a newer request takes this upload over. */
  get superseded(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  idleMs(): number {
    return Date.now() - this.lastActivity;
  }

  /**
   * Resolves while this lease may still change the upload's bytes. In-process it always does;
   * across instances it asks Redis, and rejects once the lock is lost.
   */
  fence: Fence = async () => undefined;

  /** Why the lease was stopped: a newer request took over, the server is shutting down, or its lock was lost. */
  stopReason: StopReason | undefined;

  stop(reason: StopReason): void {
    this.stopReason ??= reason;
    this.controller.abort();
  }

  release(): void {
    this.onRelease(this);
    this.resolveReleased();
  }
}

/** Who may write which upload. */
export interface Writers {
  /** Take the upload over: stop whoever holds it and wait until it has flushed and let go. */
  acquire(key: string): Promise<Lease>;
  /** Take the upload only if nobody holds it, here or elsewhere; never stops anyone. */
  tryAcquire(key: string): Promise<Lease | undefined>;
  /** This instance's newest lease on the upload, if any. */
  current(key: string): Lease | undefined;
  /**
   * Stop a live append of the upload, wherever it runs, and wait until it has flushed and let go.
   * A status that promises its offset calls this first: bytes still arriving on that append's
   * connection are dropped, so the offset answered is where the next append is accepted.
   */
  stopLive(key: string): Promise<void>;
  /**
   * What a live append on the upload has made durable and received, for a progress poll. An append
   * silent for `ghostIdleMs` is a connection nobody noticed is dead: it is stopped first, and
   * then there is no live append. Undefined when nobody is writing.
   */
  liveOffsets(key: string, ghostIdleMs: number): Promise<LiveOffsets | undefined>;
  /** Stop every writer (shutdown) and wait until all have flushed. */
  stopAll(): Promise<void>;
  /**
   * Run `work` while nobody else runs work under `name`, on this instance or another: changes that
   * read, modify and write one owner's record (tokens, quota reservations) wait their turn.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Resolves when whatever coordinates the writers answers (Redis, in a cluster); rejects when not. */
  ping(): Promise<void>;
  /** True once the server has begun to shut down. */
  readonly closing: boolean;
  /**
   * A status answered `offset` for the upload (issue 32): until an append succeeds, an append at
   * that offset is accepted, even if bytes a delayed request delivered after the status sit past it.
   */
  promise(key: string, offset: number): Promise<void>;
  /** The offset a standing promise names, if any. */
  promised(key: string): Promise<number | undefined>;
  /** An append succeeded (or the upload ended): the promise is kept, or no longer owed. */
  endPromise(key: string): Promise<void>;
  /**
   * A progress poll confirmed bytes up to `offset` (Upload-Offset, not merely received): a promise
   * below it no longer binds. Else a browser's silent resend of a cut append at the promised offset
   * would drop bytes the client was shown.
   */
  endPromiseBelow(key: string, offset: number): Promise<void>;
}

/** How long a status's promise stands with no append at all. */
export const PROMISE_MS = 60 * 60 * 1000;
/** Promises one process keeps at most; the oldest go first. */
const MAX_PROMISES = 100_000;

/** Status promises in this process's memory (a server without Redis: they end with the process). */
export class LocalPromises {
  private readonly offsets = new Map<string, { offset: number; at: number }>();

  async promise(key: string, offset: number): Promise<void> {
    this.offsets.delete(key);
    this.offsets.set(key, { offset, at: Date.now() });
    if (this.offsets.size > MAX_PROMISES) this.offsets.delete(this.offsets.keys().next().value!);
  }

  async promised(key: string): Promise<number | undefined> {
    const made = this.offsets.get(key);
    return made && Date.now() - made.at < PROMISE_MS ? made.offset : undefined;
  }

  async endPromise(key: string): Promise<void> {
    this.offsets.delete(key);
  }

  async endPromiseBelow(key: string, offset: number): Promise<void> {
    if ((this.offsets.get(key)?.offset ?? Infinity) < offset) this.offsets.delete(key);
  }
}

/** Work queued by name within one process: each waits for the one before it to settle. */
export class LocalMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(name) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    const tail = mine.catch(() => undefined);
    this.tails.set(name, tail);
    try {
      return await mine;
    } finally {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

export interface LiveOffsets {
  verified: number;
  received: number;
}

export class WriterRegistry implements Writers {
  /** `onTakeover` hears each append stopped by a newer request (the metrics count them). */
  constructor(private readonly onTakeover: () => void = () => undefined) {}

  private readonly holders = new Map<string, Lease>();
  private shuttingDown = false;
  private readonly mutex = new LocalMutex();
  private readonly promises = new LocalPromises();
  readonly promise = this.promises.promise.bind(this.promises);
  readonly promised = this.promises.promised.bind(this.promises);
  readonly endPromise = this.promises.endPromise.bind(this.promises);
  readonly endPromiseBelow = this.promises.endPromiseBelow.bind(this.promises);

  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.run(name, work);
  }

  async ping(): Promise<void> {}

  get closing(): boolean {
    return this.shuttingDown;
  }

  async acquire(key: string): Promise<Lease> {
    const previous = this.holders.get(key);
    const lease = new Lease(key, (released) => {
      if (this.holders.get(key) === released) this.holders.delete(key);
    });
    this.holders.set(key, lease);
    // A request that comes in while the server stops is told so, like those it stopped.
    if (this.shuttingDown) lease.stop('shutdown');
    if (previous) {
      if (!previous.superseded.aborted) this.onTakeover();
      previous.stop('takeover');
      await previous.released;
    }
    return lease;
  }

  async tryAcquire(key: string): Promise<Lease | undefined> {
    if (this.holders.has(key) || this.shuttingDown) return undefined;
    return this.acquire(key);
  }

  current(key: string): Lease | undefined {
    return this.holders.get(key);
  }

  async stopLive(key: string): Promise<void> {
    if (!this.holders.has(key)) return;
    const lease = await this.acquire(key);
    lease.release();
  }

  async liveOffsets(key: string, ghostIdleMs: number): Promise<LiveOffsets | undefined> {
    const holder = this.holders.get(key);
    if (!holder) return undefined;
    // A progress poll never kills the chunk it measures; it only reads the live append's offsets.
    if (holder.idleMs() < ghostIdleMs) return holder.writer?.durableOffset();
    await this.stopLive(key);
    return undefined;
  }

  async stopAll(): Promise<void> {
    this.shuttingDown = true;
    const leases = [...this.holders.values()];
    for (const lease of leases) lease.stop('shutdown');
    await Promise.all(leases.map((lease) => lease.released));
  }
}
