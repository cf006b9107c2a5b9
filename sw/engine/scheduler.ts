// Which uploads run: up to the concurrency at once, oldest first, each in its own loop. Nothing here
// must survive the worker: `waiting` is rebuilt from the stored records by every sweep.
import type { Notice } from '../../common/i18n/catalogue.js';
import { coalesced } from '../../common/coalesce.js';
import { RUNNABLE } from '../../common/messages.js';
import type { HandedFiles } from './handed-files.js';
import type { ProtocolFor } from './protocols/for-target.js';
import type { UploadRecord } from './record.js';
import type { Reporter } from './reporter.js';
import type { QueuePort } from './store-port.js';
import type { LoopDeps } from './loop-deps.js';
import { runUpload } from './upload-loop.js';

export interface SchedulerDeps {
  store: QueuePort;
  protocols: ProtocolFor;
  reporter: Reporter;
  handed: HandedFiles;
  now: () => number;
  concurrency: () => number;
  digests: () => boolean;
  online?: () => boolean;
  /** Overrides for tests; see LoopDeps. */
  loop?: Partial<Pick<LoopDeps, 'pollIntervalMs' | 'statusTimeoutMs' | 'chunkDeadline' | 'noProgressMs' | 'random'>>;
}

/** An upload that may start. `record`: as the engine last wrote it, when it has it (else its run reads it). */
interface Waiting {
  addedAt: number;
  target: string | undefined;
  record?: UploadRecord;
}

export class Scheduler {
  /** Runs by upload id; `finishing` once the server has every byte (its slot is free for the next upload). */
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void>; finishing: boolean }>();
  /**
   * Runnable uploads not running, kept up to date by the controls, so starting the next of 300 uploads
   * reads nothing; added to (never replaced) by every read of the store.
   */
  private readonly waiting = new Map<string, Waiting>();
  /** The store has not been read for `waiting` yet. */
  private unread = true;
  private readonly sleepers = new Set<() => void>();
  /** When a page last reported `online`. */
  private onlineAt = -Infinity;
  private draining: Promise<void> | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Start what may start, and resolve once nothing is left running. */
  async startMore(): Promise<void> {
    await this.fill();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  get busy(): boolean {
    return this.running.size > 0 || this.waiting.size > 0;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** `record` may start (written just now by the engine). */
  queue(record: UploadRecord): void {
    this.waiting.set(record.id, { addedAt: record.addedAt, target: record.target, record });
  }

  unqueue(id: string): void {
    this.waiting.delete(id);
  }

  /** Add the runnable uploads in `records` (a read of the store) that are neither running nor waiting already. */
  noteWaiting(records: UploadRecord[]): void {
    this.unread = false;
    for (const { id, state, cancelPending, addedAt, target } of records) {
      if (RUNNABLE.has(state) && !cancelPending && !this.running.has(id) && !this.waiting.has(id)) this.waiting.set(id, { addedAt, target });
    }
  }

  async stop(id: string): Promise<void> {
    const run = this.running.get(id);
    if (!run) return;
    run.controller.abort();
    await run.done;
  }

  /** A page saw the network come back: end every backoff wait now, and any about to begin. */
  wake(): void {
    this.onlineAt = this.deps.now();
    for (const wakeUp of [...this.sleepers]) wakeUp();
  }

  /** Start waiting uploads, oldest first, up to the concurrency. Calls made while one runs share it and one more after it. */
  private readonly fill = coalesced(() => this.fillOnce());

  private async fillOnce(): Promise<void> {
    if (this.unread) this.noteWaiting(await this.deps.store.all());
    const concurrency = this.deps.concurrency();
    let busy = [...this.running.values()].filter((run) => !run.finishing).length;
    if (busy >= concurrency) return;
    const oldestFirst = [...this.waiting].sort(([, a], [, b]) => a.addedAt - b.addedAt);
    for (const [id, { target, record }] of oldestFirst) {
      if (busy++ >= concurrency) break;
      this.waiting.delete(id);
      this.start(id, target, record);
    }
  }

  private async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.race([...this.running.values()].map((run) => run.done));
      await this.fill();
    }
  }

  private start(id: string, target: string | undefined, known: UploadRecord | undefined): void {
    if (this.running.has(id)) return;
    const { store, reporter, handed } = this.deps;
    const controller = new AbortController();
    const run = { controller, done: Promise.resolve(), finishing: false };
    const deps: LoopDeps = {
      protocol: this.deps.protocols(target),
      store,
      useStoredCopy: (id) => handed.switchToStored(id),
      digests: this.deps.digests(),
      now: this.deps.now,
      sleep: (ms, signal, since) => this.sleep(ms, signal, since),
      report: (record, rate) => reporter.progress(record, rate),
      finishing: () => {
        run.finishing = true;
        void this.fill();
      },
      ...(this.deps.online ? { online: this.deps.online } : {}),
      ...this.deps.loop,
    };
    run.done = this.runFrom(id, known, deps, controller.signal)
      .catch((error: unknown) => store.updateRunnable(id, { state: 'failed', notice: unexpected(error) }).then(() => reporter.announce(id)))
      .finally(() => {
        if (this.running.get(id)?.controller === controller) this.running.delete(id);
        handed.runEnded(id);
        reporter.stopped(id);
      });
    this.running.set(id, run);
  }

  /** The run's record and File: the File handed over in this worker's life, else IndexedDB's copy. */
  private async runFrom(id: string, known: UploadRecord | undefined, deps: LoopDeps, signal: AbortSignal): Promise<void> {
    const record = known ?? (await this.deps.store.get(id));
    if (!record || !RUNNABLE.has(record.state)) return;
    const inHand = this.deps.handed.get(id);
    const file = inHand ?? (await this.deps.store.file(id));
    return runUpload({ record, file, handed: inHand !== undefined }, deps, signal);
  }

  private sleep(ms: number, signal: AbortSignal, since: number): Promise<void> {
    // The attempt failed while the network was coming back, and the page's `online` came before this wait.
    if (this.onlineAt >= since) return Promise.resolve();
    return new Promise((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        this.sleepers.delete(wakeUp);
        signal.removeEventListener('abort', wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms);
      this.sleepers.add(wakeUp);
      signal.addEventListener('abort', wakeUp);
    });
  }
}

function unexpected(error: unknown): Notice {
  return { key: 'notice.unexpected', params: { detail: error instanceof Error ? error.message : String(error) } };
}
