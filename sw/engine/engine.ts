// The engine: runs a few upload loops at a time from what the store holds, and carries out the
// pages' controls. It emits domain events (reporter.ts); the worker's glue turns them into messages.
// Nothing here must survive the worker: every decision can be remade from the stored records.
import { coalesced } from '../../common/coalesce.js';
import { RUNNABLE, type EnqueueReply, type UploadOptions, type UploadView } from '../../common/messages.js';
import { HandedFiles } from './handed-files.js';
import { Intake } from './intake.js';
import { DEFAULT_RETENTION_MS } from './policy.js';
import type { ProtocolFor } from './protocols/for-target.js';
import type { UploadRecord } from './record.js';
import { Reporter, type EngineEvent } from './reporter.js';
import { Scheduler, type SchedulerDeps } from './scheduler.js';
import type { QueuePort } from './store-port.js';
import { Sweeper, tellServerCancelled } from './sweep.js';

export type { EngineEvent } from './reporter.js';
/** A picked file is kept in the browser this long (from when it was picked) unless it is uploaded first. */
export const RETENTION_MS = DEFAULT_RETENTION_MS;

export interface EngineDeps {
  /** The protocol adapter for a destination (an upload record's `target`). */
  protocols: ProtocolFor;
  store: QueuePort;
  emit(event: EngineEvent): void;
  concurrency: number;
  /** Send integrity digests (default true). */
  digests?: boolean;
  /** How long a picked file is kept in the browser (default 7 days). */
  retentionMs?: number;
  now?: () => number;
  /** What the browser believes about the network (the worker's navigator.onLine). */
  online?: () => boolean;
  loop?: SchedulerDeps['loop'];
}

/**
 * Every page message wakes the engine, and a sweep reads every record: a pick of 300 photos swept
 * 300 times, each reading 300 records. Between forced wakes (start, `online`, a sync) one sweep in this long does.
 */
const SWEEP_EVERY_MS = 20_000;

export class Engine {
  private readonly reporter: Reporter;
  private readonly scheduler: Scheduler;
  private readonly intake: Intake;
  private readonly sweeper: Sweeper;
  private readonly store: QueuePort;
  private readonly now: () => number;
  private sweptAt = -Infinity;

  constructor(private readonly deps: EngineDeps) {
    const now = (this.now = deps.now ?? (() => Date.now()));
    const { store, protocols } = deps;
    this.store = store;
    const retentionMs = deps.retentionMs ?? DEFAULT_RETENTION_MS;
    const handed = new HandedFiles();
    this.reporter = new Reporter(deps.emit, store, now, retentionMs);
    this.scheduler = new Scheduler({
      store, protocols, reporter: this.reporter, handed, now,
      concurrency: () => this.deps.concurrency,
      digests: () => this.deps.digests ?? true,
      ...(deps.online ? { online: deps.online } : {}),
      ...(deps.loop ? { loop: deps.loop } : {}),
    });
    this.intake = new Intake({
      store, protocols, handed, now,
      isRunning: (id) => this.scheduler.isRunning(id),
      accepted: (record) => this.requeued(record),
      cancel: (id) => this.cancel(id),
    });
    this.sweeper = new Sweeper({ store, protocols, scheduler: this.scheduler, reporter: this.reporter, now, retentionMs, kick: () => void this.kick() });
  }

  /**
   * On a wake: sweep (at most once in SWEEP_EVERY_MS unless `force`), start what may start, and
   * resolve once nothing is left running. Safe to call from every event.
   */
  async kick(force = false): Promise<void> {
    if (force || this.now() - this.sweptAt >= SWEEP_EVERY_MS) await this.sweep();
    return this.scheduler.startMore();
  }

  private readonly sweep = coalesced(() => {
    this.sweptAt = this.now();
    return this.sweeper.sweep();
  });

  /** True while some upload, or a cancel, still wants the network (for Background Sync). */
  async hasPending(): Promise<boolean> {
    if (this.scheduler.busy) return true;
    return (await this.store.all()).some((record) => record.cancelPending || RUNNABLE.has(record.state));
  }

  /** Take Files from a page (intake.ts): one reply per file, in order, once IndexedDB has its copies. */
  enqueue(files: File[], options?: UploadOptions): Promise<EnqueueReply[]> {
    return this.intake.enqueue(files, options);
  }

  /** Run up to `value` uploads at once from now on. */
  setConcurrency(value: number): void {
    this.deps.concurrency = value;
    void this.scheduler.startMore();
  }

  setDigests(on: boolean): void {
    this.deps.digests = on;
  }

  /** A page saw the network come back: end every backoff wait now; the next kick sweeps (cancels to send). */
  wake(): void {
    this.sweptAt = -Infinity;
    this.scheduler.wake();
  }

  async pause(id: string): Promise<void> {
    this.scheduler.unqueue(id);
    await this.store.update(id, { state: 'paused', notice: undefined, retryAt: undefined });
    await this.scheduler.stop(id);
    await this.reporter.announce(id);
  }

  async resume(id: string): Promise<void> {
    await this.requeue(id, (record) => record.state === 'paused');
  }

  async retry(id: string): Promise<void> {
    await this.requeue(id, (record) => record.state === 'failed' || record.state === 'waiting-for-network' || record.state === 'needs-credentials');
  }

  /**
   * Give every unfinished upload (bound for `target`, when given) new headers: a refreshed token, say.
   * Those waiting for credentials go on, and running ones start again with them, from the server's offset.
   */
  async setHeaders(headers: Record<string, string>, target?: string): Promise<void> {
    const resolve = this.deps.protocols.resolve ?? ((raw: string | undefined) => raw ?? '');
    const wanted = target === undefined ? undefined : resolve(target);
    for (const record of await this.store.all()) {
      if (record.state === 'done' || record.cancelPending || (wanted !== undefined && resolve(record.target) !== wanted)) continue;
      const running = this.scheduler.isRunning(record.id);
      if (running) await this.scheduler.stop(record.id);
      const waited = record.state === 'needs-credentials';
      const next = await this.store.update(record.id, { headers, ...(waited ? { state: 'queued', notice: undefined, failures: 0 } : {}) });
      if (next && (running || waited)) this.requeued(next);
    }
  }

  /** Stop the upload, tell the server to forget it, and forget it here. */
  async cancel(id: string): Promise<void> {
    this.scheduler.unqueue(id);
    const record = await this.store.update(id, { state: 'paused' });
    await this.scheduler.stop(id);
    if (record && !(await tellServerCancelled(this.deps.protocols, record))) {
      // Offline: remember the cancel, hidden from pages, and send it on the next wake.
      await this.store.update(id, { cancelPending: true }, true);
    } else {
      await this.store.remove(id);
    }
    this.reporter.removed(id);
  }

  async clearFinished(): Promise<void> {
    for (const record of await this.store.all()) {
      if (record.state !== 'done') continue;
      await this.store.remove(record.id);
      this.reporter.removed(record.id);
    }
  }

  async snapshot(): Promise<UploadView[]> {
    const records = (await this.store.all()).filter((record) => !record.cancelPending);
    return records.sort((a, b) => a.addedAt - b.addedAt).map((record) => this.reporter.view(record));
  }

  /** The browser's copy of a picked file, while it keeps one (thumbnails; tests). */
  storedFile(id: string): Promise<Blob | undefined> {
    return this.store.file(id);
  }

  private async requeue(id: string, allowed: (record: UploadRecord) => boolean): Promise<void> {
    const record = await this.store.get(id);
    if (!record || !allowed(record)) return;
    if (this.scheduler.isRunning(id)) await this.scheduler.stop(id);
    const queued = await this.store.update(id, { state: 'queued', failures: 0, notice: undefined, retryAt: undefined, final: undefined });
    if (queued) this.requeued(queued);
  }

  /** `record` was just written runnable: show it, and let it start. */
  private requeued(record: UploadRecord): void {
    this.scheduler.queue(record);
    this.reporter.changed(record);
    void this.scheduler.startMore();
  }
}
