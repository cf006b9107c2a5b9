// The scheduler: runs a few upload loops at a time from what IndexedDB holds,
// and carries out the pages' controls. Nothing here must survive the worker:
// every decision can be remade from the stored records.
import type { Notice } from '../../common/i18n/catalogue.js';
import { coalesced } from '../../common/coalesce.js';
import { RUNNABLE, type EnqueueReply, type UploadView, type WorkerMessage } from '../../common/messages.js';
import type { UploadRecord } from '../store/record.js';
import { fileIdOf, firstRecord, storageFailure } from './hand-over.js';
import { NetworkError, ServerError } from './errors.js';
import { classify, etaSeconds } from './policy.js';
import type { ProtocolFor } from './protocols/for-target.js';
import { uploadRefOf } from './protocols/port.js';
import { runUpload, type LoopDeps, type LoopStore } from './upload-loop.js';

/** Files up to this size are stored with their record, before the upload starts. */
const STORED_WITH_RECORD_BYTES = 8_000_000;
/** Small files kept in one transaction: at most this many bytes of them. */
const TRANSACTION_BYTES = 16_000_000;

export interface QueuePort extends LoopStore {
  /** Keep the records, and each one's `file` where given, in one transaction. */
  addRecords(entries: ReadonlyArray<{ record: UploadRecord; file?: Blob }>): Promise<void>;
  /** Keep the File itself; resolves once the copy is committed. */
  putFile(id: string, file: Blob): Promise<void>;
  all(): Promise<UploadRecord[]>;
  /** Merge `patch` whatever the state; with `dropFile`, drop the stored File in the same transaction. */
  update(id: string, patch: Partial<UploadRecord>, dropFile?: boolean): Promise<UploadRecord | undefined>;
  remove(id: string): Promise<void>;
}

export interface EngineDeps {
  /** The protocol adapter for a destination (an upload record's `target`). */
  protocols: ProtocolFor;
  store: QueuePort;
  broadcast(message: WorkerMessage): void;
  concurrency: number;
  /** Send integrity digests (default true). */
  digests?: boolean;
  now?: () => number;
  /** What the browser believes about the network (the worker's navigator.onLine). */
  online?: () => boolean;
  /** Overrides for tests; see LoopDeps. */
  loop?: Partial<Pick<LoopDeps, 'pollIntervalMs' | 'statusTimeoutMs' | 'chunkDeadline' | 'noProgressMs' | 'random'>>;
}

// Progress messages for one upload are spaced at least this far apart, unless its state changes.
const REPORT_EVERY_MS = 200;
/** A picked file is kept in the browser this long (from when it was picked) unless it is uploaded first. */
export const RETENTION_MS = 7 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const CANCEL_RETRY_MS = 3000;
/**
 * Every page message wakes the engine, and a sweep reads every record: a pick of 300 photos swept
 * 300 times, each reading 300 records. Between forced wakes (start, `online`, a sync) one sweep in this long does.
 */
const SWEEP_EVERY_MS = 20_000;

export class Engine {
  /** Runs by upload id; `finishing` once the server has every byte (its slot is free for the next upload). */
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void>; finishing: boolean }>();
  private readonly rates = new Map<string, number>();
  private readonly lastReport = new Map<string, { at: number; state: string; notice: string | undefined; offset: number }>();
  private readonly sleepers = new Set<() => void>();
  /** When a page last reported `online`. */
  private onlineAt = -Infinity;
  /**
   * Files handed over in this worker's life, read instead of IndexedDB's copy: the upload need not
   * wait for a large one's copy, nor read a small one back. `stored` once the copy is committed.
   */
  private readonly handed = new Map<string, { file: Blob; stored: boolean }>();
  private draining: Promise<void> | undefined;
  private largeCopies: Promise<unknown> = Promise.resolve();
  /**
   * Runnable uploads not running, by id, kept up to date by the controls, so starting the next of 300
   * uploads reads nothing; added to (never replaced) by every sweep's read of the store. `record` is the
   * record as this engine last wrote it (a pick, a resume), which the run need not read again; an entry
   * found by a read has none (a run may have finished it since), and its run reads it.
   */
  private readonly waiting = new Map<string, Waiting>();
  /** The store has not been read for `waiting` yet. */
  private unread = true;
  private sweptAt = -Infinity;
  private cancelRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => Date.now());
  }

  /**
   * On a wake: sweep (at most once in SWEEP_EVERY_MS unless `force`), start what may start, and
   * resolve once nothing is left running. Safe to call from every event.
   */
  async kick(force = false): Promise<void> {
    if (force || this.now() - this.sweptAt >= SWEEP_EVERY_MS) await this.sweep();
    return this.startMore();
  }

  /** Start what may start (no sweep: a pick or a setting is not a wake), and resolve once nothing is left running. */
  private async startMore(): Promise<void> {
    await this.fill();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** True while some upload, or a cancel, still wants the network (for Background Sync). */
  async hasPending(): Promise<boolean> {
    if (this.running.size > 0 || this.waiting.size > 0) return true;
    return (await this.deps.store.all()).some((record) => record.cancelPending || RUNNABLE.has(record.state));
  }

  /**
   * On every wake: send the cancels the server has not heard yet, and drop stored files past the
   * retention period (their uploads fail with a sentence saying so).
   */
  private readonly sweep = coalesced(() => this.sweepOnce());

  private async sweepOnce(): Promise<void> {
    const now = this.now();
    this.sweptAt = now;
    let cancelsLeft = false;
    const records = await this.deps.store.all();
    this.noteWaiting(records);
    for (const record of records) {
      if (record.cancelPending) {
        if (await this.tellServerCancelled(record)) await this.deps.store.remove(record.id);
        else cancelsLeft = true;
      } else if (record.state !== 'done' && !record.final && record.addedAt + RETENTION_MS <= now && !this.running.has(record.id)) {
        await this.deps.store.update(record.id, { state: 'failed', final: true, retryAt: undefined, notice: { key: 'notice.expired', params: { days: RETENTION_MS / DAY_MS } } }, true);
        this.waiting.delete(record.id);
        await this.announce(record.id);
      }
    }
    // The network may be back a moment after the `online` that woke us: try again while we live
    // (Background Sync wakes us later if we do not).
    if (cancelsLeft && !this.cancelRetry) {
      this.cancelRetry = setTimeout(() => {
        this.cancelRetry = undefined;
        void this.kick();
      }, CANCEL_RETRY_MS);
    }
  }

  /** False while the cancel still has to reach the server: no answer, or one that says come back later. */
  private async tellServerCancelled(record: UploadRecord): Promise<boolean> {
    try {
      await this.deps.protocols(record.target).cancel(uploadRefOf(record), AbortSignal.timeout(10_000));
      return true;
    } catch (error) {
      // A refusal (4xx) will not change by sending it again: there is nothing left to cancel there.
      return !(error instanceof NetworkError || (error instanceof ServerError && classify(error.status) === 'retry'));
    }
  }

  /**
   * Take Files from a page: keep their records, start uploading from the Files in hand at once, and
   * answer (one reply per file, in order) only once IndexedDB has committed its own copies (Chromium
   * copies a picked File, seconds per GiB: docs/design.md §3.4). From that answer on, an upload
   * survives a closed tab. A copy that cannot be kept cancels its upload, and the reply says why.
   */
  async enqueue(files: File[], target?: string): Promise<EnqueueReply[]> {
    try {
      this.deps.protocols(target);
    } catch (error) {
      // A destination the worker cannot speak is refused here, not mid-upload.
      const detail = error instanceof Error ? error.message : String(error);
      return files.map((file) => ({ ok: false, notice: { key: 'notice.notAdded', params: { name: file.name, detail } } }));
    }
    const ids = await Promise.all(files.map(fileIdOf));
    const known = await Promise.all(ids.map((id) => this.deps.store.get(id)));
    const replies: Array<EnqueueReply | Promise<EnqueueReply>> = [];
    const small: NewUpload[] = [];
    const large: NewUpload[] = [];
    const seen = new Set<string>();
    files.forEach((file, index) => {
      const id = ids[index]!;
      const existing = known[index];
      // The same file picked again while it is still on its way: nothing to add.
      // (One cancelled offline whose cancel is still pending is picked anew: the new record replaces it.)
      if (seen.has(id) || (existing && !existing.cancelPending && existing.state !== 'done' && existing.state !== 'failed')) {
        replies[index] = { ok: true, id };
        return;
      }
      seen.add(id);
      const record = firstRecord(id, file, this.now(), target);
      (file.size <= STORED_WITH_RECORD_BYTES ? small : large).push({ index, record, file });
    });
    for (const together of inTransactions(small)) {
      const answers = await this.addSmall(together);
      together.forEach(({ index }, at) => (replies[index] = answers[at]!));
    }
    for (const { index, record, file } of large) replies[index] = this.oneLargeAtATime(() => this.addLarge(record, file));
    return Promise.all(replies);
  }

  /** Large copies one at a time, from every pick: copies side by side near a full quota would fail together. */
  private oneLargeAtATime(task: () => Promise<EnqueueReply>): Promise<EnqueueReply> {
    const turn = this.largeCopies.then(task);
    this.largeCopies = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Small files are kept with their records, all in one transaction: 300 photos in 300 transactions
   * took 0.5 s of IndexedDB alone, in ten 75 ms. If it fails (a full quota), each is tried alone.
   */
  private async addSmall(entries: NewUpload[]): Promise<EnqueueReply[]> {
    if (entries.length === 0) return [];
    let kept: unknown[];
    try {
      await this.deps.store.addRecords(entries);
      kept = entries.map(() => undefined);
    } catch (error) {
      kept = entries.length === 1 ? [error] : await Promise.all(entries.map((entry) => this.deps.store.addRecords([entry]).then(() => undefined, (alone: unknown) => alone)));
    }
    return entries.map(({ record, file }, index) => {
      const failure = kept[index];
      if (failure !== undefined) return { ok: false, notice: storageFailure(file.name, failure) };
      this.accept(record, file, true);
      return { ok: true, id: record.id };
    });
  }

  /** A large file is uploaded from the File in hand while its copy is written. */
  private async addLarge(record: UploadRecord, file: File): Promise<EnqueueReply> {
    // The upload starts as the record is written, not once it is: IndexedDB commits in order, so the
    // run's own writes land after it (pick to first byte was waiting on that commit).
    const recorded = this.deps.store.addRecords([{ record }]);
    const handed = this.accept(record, file, false);
    try {
      await recorded;
      await this.deps.store.putFile(record.id, file);
    } catch (error) {
      this.handed.delete(record.id);
      await this.cancel(record.id);
      return { ok: false, notice: storageFailure(file.name, error) };
    }
    handed.stored = true;
    if (!this.running.has(record.id)) this.handed.delete(record.id);
    return { ok: true, id: record.id };
  }

  /** A new upload is kept: show it, and let it start. */
  private accept(record: UploadRecord, file: File, stored: boolean): { file: Blob; stored: boolean } {
    const handed = { file, stored };
    this.handed.set(record.id, handed);
    this.waiting.set(record.id, { addedAt: record.addedAt, target: record.target, record });
    this.deps.broadcast({ type: 'ferry:update', upload: this.view(record) });
    void this.startMore();
    return handed;
  }

  /** Run up to `value` uploads at once from now on. */
  setConcurrency(value: number): void {
    this.deps.concurrency = value;
    void this.startMore();
  }

  setDigests(on: boolean): void {
    this.deps.digests = on;
  }

  /** A page saw the network come back: end every backoff wait now, and any about to begin; the next kick sweeps (cancels to send). */
  wake(): void {
    this.onlineAt = this.now();
    this.sweptAt = -Infinity;
    for (const wakeUp of [...this.sleepers]) wakeUp();
  }

  async pause(id: string): Promise<void> {
    this.waiting.delete(id);
    await this.deps.store.update(id, { state: 'paused', notice: undefined, retryAt: undefined });
    await this.stop(id);
    await this.announce(id);
  }

  async resume(id: string): Promise<void> {
    await this.requeue(id, (record) => record.state === 'paused');
  }

  async retry(id: string): Promise<void> {
    await this.requeue(id, (record) => record.state === 'failed' || record.state === 'waiting-for-network');
  }

  /** Stop the upload, tell the server to forget it, and forget it here. */
  async cancel(id: string): Promise<void> {
    this.waiting.delete(id);
    const record = await this.deps.store.update(id, { state: 'paused' });
    await this.stop(id);
    if (record && !(await this.tellServerCancelled(record))) {
      // Offline: remember the cancel, hidden from pages, and send it on the next wake.
      await this.deps.store.update(id, { cancelPending: true }, true);
    } else {
      await this.deps.store.remove(id);
    }
    this.forget(id);
    this.deps.broadcast({ type: 'ferry:removed', id });
  }

  async clearFinished(): Promise<void> {
    for (const record of await this.deps.store.all()) {
      if (record.state !== 'done') continue;
      await this.deps.store.remove(record.id);
      this.forget(record.id);
      this.deps.broadcast({ type: 'ferry:removed', id: record.id });
    }
  }

  async snapshot(): Promise<UploadView[]> {
    const records = (await this.deps.store.all()).filter((record) => !record.cancelPending);
    return records.sort((a, b) => a.addedAt - b.addedAt).map((record) => this.view(record));
  }

  /** The record as pages see it: what they show, and nothing of the worker's inner state (the hash state stays here). */
  view(record: UploadRecord): UploadView {
    const { id, name, type, size, state, offset, notice, retryAt, addedAt, final } = record;
    const rate = state === 'uploading' ? (this.rates.get(id) ?? 0) : 0;
    const eta = state === 'uploading' ? etaSeconds(size - offset, rate) : undefined;
    const keptUntil = state === 'done' || final ? undefined : addedAt + RETENTION_MS;
    return {
      id, name, type, size, state, offset, notice, retryAt, addedAt, rate,
      ...(final && state === 'failed' ? { final } : {}),
      ...(keptUntil === undefined ? {} : { keptUntil }),
      ...(eta === undefined ? {} : { etaSeconds: eta }),
    };
  }

  private async requeue(id: string, allowed: (record: UploadRecord) => boolean): Promise<void> {
    const record = await this.deps.store.get(id);
    if (!record || !allowed(record)) return;
    if (this.running.has(id)) await this.stop(id);
    const queued = await this.deps.store.update(id, { state: 'queued', failures: 0, notice: undefined, retryAt: undefined, final: undefined });
    if (!queued) return;
    this.waiting.set(id, { addedAt: queued.addedAt, target: queued.target, record: queued });
    this.deps.broadcast({ type: 'ferry:update', upload: this.view(queued) });
    void this.startMore();
  }

  /** Start waiting uploads, oldest first, up to the concurrency. Calls made while one runs share it and one more after it. */
  private readonly fill = coalesced(() => this.fillOnce());

  private async fillOnce(): Promise<void> {
    if (this.unread) this.noteWaiting(await this.deps.store.all());
    let busy = [...this.running.values()].filter((run) => !run.finishing).length;
    if (busy >= this.deps.concurrency) return;
    const oldestFirst = [...this.waiting].sort(([, a], [, b]) => a.addedAt - b.addedAt);
    for (const [id, { target, record }] of oldestFirst) {
      if (busy++ >= this.deps.concurrency) break;
      this.waiting.delete(id);
      this.start(id, target, record);
    }
  }

  /** Add the runnable uploads in `records` (a read of the store) that are neither running nor waiting already. */
  private noteWaiting(records: UploadRecord[]): void {
    this.unread = false;
    for (const { id, state, cancelPending, addedAt, target } of records) {
      if (RUNNABLE.has(state) && !cancelPending && !this.running.has(id) && !this.waiting.has(id)) this.waiting.set(id, { addedAt, target });
    }
  }

  private async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.race([...this.running.values()].map((run) => run.done));
      await this.fill();
    }
  }

  /**
   * Run upload `id`; `known` is its record as this engine last wrote it, when it has it: every change
   * to a waiting upload's record goes through this engine (the controls take it out of `waiting`, or
   * put it back with the new record).
   */
  private start(id: string, target: string | undefined, known: UploadRecord | undefined): void {
    if (this.running.has(id)) return;
    const controller = new AbortController();
    const run = { controller, done: Promise.resolve(), finishing: false };
    const deps: LoopDeps = {
      protocol: this.deps.protocols(target),
      store: this.deps.store,
      fileFor: async (id) => {
        const handed = this.handed.get(id)?.file;
        return handed ? { file: handed, handed: true } : { file: await this.deps.store.file(id), handed: false };
      },
      useStoredCopy: (id) => {
        if (!this.handed.get(id)?.stored) return false;
        this.handed.delete(id);
        return true;
      },
      digests: this.deps.digests ?? true,
      now: this.now,
      sleep: (ms, signal, since) => this.sleep(ms, signal, since),
      report: (record, rate) => this.report(record, rate),
      finishing: () => {
        run.finishing = true;
        void this.fill();
      },
      ...(this.deps.online ? { online: this.deps.online } : {}),
      ...this.deps.loop,
    };
    run.done = runUpload(id, deps, controller.signal, known)
      .catch((error: unknown) => this.deps.store.updateRunnable(id, { state: 'failed', notice: unexpected(error) }).then(() => this.announce(id)))
      .finally(() => {
        if (this.running.get(id)?.controller === controller) this.running.delete(id);
        // A large File still being copied stays in hand until its copy is committed.
        if (this.handed.get(id)?.stored) this.handed.delete(id);
        this.rates.delete(id);
      });
    this.running.set(id, run);
  }

  private async stop(id: string): Promise<void> {
    const run = this.running.get(id);
    if (!run) return;
    run.controller.abort();
    await run.done;
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

  private report(record: UploadRecord, rate: number): void {
    if (rate > 0) this.rates.set(record.id, rate);
    const last = this.lastReport.get(record.id);
    const now = this.now();
    const notice = JSON.stringify(record.notice);
    const changed = !last || last.state !== record.state || last.notice !== notice;
    if (!changed && now - last.at < REPORT_EVERY_MS && record.offset < record.size) return;
    // A finished upload shown, then written as it was shown: nothing new.
    if (!changed && record.offset === record.size && last.offset === record.offset) return;
    this.lastReport.set(record.id, { at: now, state: record.state, notice, offset: record.offset });
    this.deps.broadcast({ type: 'ferry:update', upload: this.view(record) });
  }

  private async announce(id: string): Promise<void> {
    const record = await this.deps.store.get(id);
    if (record) this.deps.broadcast({ type: 'ferry:update', upload: this.view(record) });
  }

  private forget(id: string): void {
    this.rates.delete(id);
    this.lastReport.delete(id);
  }
}

/** A file of a pick, at `index` in it, with its first record. */
interface NewUpload {
  index: number;
  record: UploadRecord;
  file: File;
}

/** Consecutive small files in transactions of at most TRANSACTION_BYTES. */
function inTransactions(uploads: NewUpload[]): NewUpload[][] {
  const transactions: NewUpload[][] = [];
  let bytes = Infinity;
  for (const upload of uploads) {
    if (bytes + upload.file.size > TRANSACTION_BYTES) {
      transactions.push([]);
      bytes = 0;
    }
    transactions.at(-1)!.push(upload);
    bytes += upload.file.size;
  }
  return transactions;
}

/** An upload that may start. */
interface Waiting {
  addedAt: number;
  target: string | undefined;
  /** Its record as this engine last wrote it, when it has it. */
  record?: UploadRecord;
}

function unexpected(error: unknown): Notice {
  return { key: 'notice.unexpected', params: { detail: error instanceof Error ? error.message : String(error) } };
}
