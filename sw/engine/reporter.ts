// What the engine tells the world: domain events carrying uploads as pages see them. The worker's
// glue (sw/worker) turns them into messages; a test just collects them.
import type { UploadView } from '../../common/messages.js';
import { etaSeconds } from './policy.js';
import type { UploadRecord } from './record.js';
import type { QueuePort } from './store-port.js';

export type EngineEvent =
  /** An upload was added or changed: its state, confirmed offset, rate or sentence. */
  | { type: 'changed'; upload: UploadView }
  /** An upload is gone: cancelled, or cleared once finished. */
  | { type: 'removed'; id: string };

// Progress events for one upload are spaced at least this far apart, unless its state changes.
const REPORT_EVERY_MS = 200;

export class Reporter {
  private readonly rates = new Map<string, number>();
  private readonly lastReport = new Map<string, { at: number; state: string; notice: string | undefined; offset: number }>();

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    private readonly store: QueuePort,
    private readonly now: () => number,
    private readonly retentionMs: number,
  ) {}

  /** The record as pages see it: what they show, and nothing of the worker's inner state (the hash state stays here). */
  view(record: UploadRecord): UploadView {
    const { id, name, type, size, state, offset, notice, retryAt, addedAt, final, metadata, completedAt } = record;
    const rate = state === 'uploading' ? (this.rates.get(id) ?? 0) : 0;
    const eta = state === 'uploading' ? etaSeconds(size - offset, rate) : undefined;
    const keptUntil = state === 'done' || final ? undefined : addedAt + this.retentionMs;
    return {
      id, name, type, size, state, offset, notice, retryAt, addedAt, rate,
      ...(final && state === 'failed' ? { final } : {}),
      ...(keptUntil === undefined ? {} : { keptUntil }),
      ...(state === 'done' && completedAt !== undefined ? { completedAt } : {}),
      ...(eta === undefined ? {} : { etaSeconds: eta }),
      ...(metadata === undefined ? {} : { metadata }),
    };
  }

  changed(record: UploadRecord): void {
    this.emit({ type: 'changed', upload: this.view(record) });
  }

  /** A run's progress: every change of state or sentence at once, moving bytes at most every REPORT_EVERY_MS. */
  progress(record: UploadRecord, rate: number): void {
    if (rate > 0) this.rates.set(record.id, rate);
    const last = this.lastReport.get(record.id);
    const now = this.now();
    const notice = JSON.stringify(record.notice);
    const changed = !last || last.state !== record.state || last.notice !== notice;
    if (!changed && now - last.at < REPORT_EVERY_MS && record.offset < record.size) return;
    // A finished upload shown, then written as it was shown: nothing new.
    if (!changed && record.offset === record.size && last.offset === record.offset) return;
    this.lastReport.set(record.id, { at: now, state: record.state, notice, offset: record.offset });
    this.changed(record);
  }

  /** Read the record and say what it is now. */
  async announce(id: string): Promise<void> {
    const record = await this.store.get(id);
    if (record) this.changed(record);
  }

  /** A run ended: its rate means nothing any more. */
  stopped(id: string): void {
    this.rates.delete(id);
  }

  removed(id: string): void {
    this.rates.delete(id);
    this.lastReport.delete(id);
    this.emit({ type: 'removed', id });
  }
}
