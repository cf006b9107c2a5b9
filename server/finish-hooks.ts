// Telling the host that a file arrived, at least once (issue 30): before an upload completes, an
// event is written to the store's outbox; once it has completed, the host's hook is called, and the
// event is deleted only when the hook returns. A hook that throws is called again with backoff; one
// whose process died is called at the next start (and every minute, by whichever instance looks).
// One instance at a time delivers an event (Writers.exclusive), and looks again under that lock, so
// nothing is delivered twice in a row without a failure in between.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { FinishEvent, UploadStore } from './store/port.js';
import type { Writers } from './writers.js';

/** A finished upload, as the host's onUploadFinish gets it. */
export interface UploadFinish {
  id: string;
  /** The owner id the host's `authenticate` gave (the owner key under the default identity). */
  owner: string;
  name: string;
  size: number;
  type: string;
  metadata: Record<string, string>;
  /** Every byte was checked against the client's digests, or its whole-file digest matched. */
  verified: boolean;
  sha256: string;
  completedAt: string;
  /** The file's bytes. */
  read(): Promise<Readable>;
  /** Where the bytes are on this machine, with the filesystem store. */
  path?: string;
}

export type OnUploadFinish = (upload: UploadFinish) => unknown;

/** Waits between a hook's failures; the last repeats. */
const RETRY_MS = [1000, 2000, 5000, 15_000, 60_000, 300_000];
/** How often the outbox is looked through for events nobody is retrying here (another instance's, a dead process's). */
const SWEEP_MS = 60_000;

export class FinishHooks {
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly store: UploadStore,
    private readonly writers: Writers,
    private readonly hook: OnUploadFinish,
    private readonly log: Logger,
    /** Told how many events wait for a retry after a failure (the metrics show it). */
    private readonly onPending: (count: number) => void = () => undefined,
    private readonly retryMs: readonly number[] = RETRY_MS,
  ) {}

  /** Before the upload completes: the event, kept durably. Its key, for `deliver`. */
  async intend(ownerKey: string, owner: string, id: string): Promise<string> {
    const key = `${ownerKey}\n${id}`;
    await this.store.outboxPut(key, { ownerKey, owner, id, at: new Date().toISOString() });
    return key;
  }

  /** Deliver every event in the outbox now, and look again every minute. */
  start(): void {
    const sweep = () => void this.store.outboxList().then(
      (entries) => entries.filter(({ key }) => !this.failures.has(key)).forEach(({ key }) => this.deliver(key)),
      (error: unknown) => this.log.warn({ err: error }, 'the outbox could not be read'),
    );
    sweep();
    const timer = setInterval(sweep, SWEEP_MS);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Try to deliver the event under `key`; on failure, try again later. Never throws. */
  deliver(key: string): void {
    if (this.stopped) return;
    this.attempt(key).then(
      () => {
        this.failures.delete(key);
        this.onPending(this.failures.size);
      },
      (error: unknown) => {
        const failures = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, failures);
        this.onPending(this.failures.size);
        const wait = this.retryMs[Math.min(failures, this.retryMs.length) - 1]!;
        this.log.warn({ err: error, failures, retryInMs: wait }, 'onUploadFinish failed; it will be called again');
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.deliver(key);
        }, wait);
        timer.unref();
        this.timers.add(timer);
      },
    );
  }

  private attempt(key: string): Promise<void> {
    return this.writers.exclusive(`finish\n${key}`, async () => {
      const event = await this.store.outboxGet(key);
      if (!event) return; // delivered meanwhile, by this instance or another
      const held = await this.store.held(event.ownerKey, event.id);
      if (!held.complete) {
        // Still partial: its completion delivers it. Gone (cancelled, expired): nothing to tell.
        if (held.unknown) await this.store.outboxDelete(key);
        return;
      }
      await this.hook(await this.finished(event));
      await this.store.outboxDelete(key);
    });
  }

  private async finished(event: FinishEvent): Promise<UploadFinish> {
    const download = await this.store.download(event.ownerKey, event.id);
    if (!download) throw new Error(`the finished upload ${event.id} could not be read`);
    download.stream.destroy();
    const { file } = download;
    const path = this.store.localPath?.(event.ownerKey, event.id);
    return {
      id: event.id, owner: event.owner, name: file.name, size: file.size, type: file.type, metadata: file.metadata ?? {},
      verified: file.verified, sha256: file.sha256, completedAt: file.completedAt,
      read: async () => {
        const again = await this.store.download(event.ownerKey, event.id);
        if (!again) throw new Error(`the finished upload ${event.id} is gone`);
        return again.stream;
      },
      ...(path ? { path } : {}),
    };
  }
}
