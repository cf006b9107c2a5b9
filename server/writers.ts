// DESIGN §1, one writer per upload: a newer request stops an older append
// instead of waiting behind it, so a client is never blocked by its own ghost.

/** What a running append tells the registry about itself. */
export interface ActiveWriter {
  /**
   * Flush, then tell the bytes that count (`verified`: an append carrying a Content-Digest
   * counts none of its bytes until they match) and all bytes received and durable.
   */
  durableOffset(): Promise<{ verified: number; received: number }>;
}

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

  /** Why the lease was stopped: a newer request took over, or the server is shutting down. */
  stopReason: 'takeover' | 'shutdown' | undefined;

  stop(reason: 'takeover' | 'shutdown'): void {
    this.stopReason ??= reason;
    this.controller.abort();
  }

  release(): void {
    this.onRelease(this);
    this.resolveReleased();
  }
}

export class WriterRegistry {
  private readonly holders = new Map<string, Lease>();

  /** Take the upload over: stop whoever holds it and wait until it has flushed and let go. */
  async acquire(key: string): Promise<Lease> {
    const previous = this.holders.get(key);
    const lease = new Lease(key, (released) => {
      if (this.holders.get(key) === released) this.holders.delete(key);
    });
    this.holders.set(key, lease);
    if (previous) {
      previous.stop('takeover');
      await previous.released;
    }
    return lease;
  }

  current(key: string): Lease | undefined {
    return this.holders.get(key);
  }

  /** Stop every writer (shutdown) and wait until all have flushed. */
  async stopAll(): Promise<void> {
    const leases = [...this.holders.values()];
    for (const lease of leases) lease.stop('shutdown');
    await Promise.all(leases.map((lease) => lease.released));
  }
}
