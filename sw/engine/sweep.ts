// On every wake: send the cancels the server has not heard yet, and drop stored files past the
// retention period (their uploads fail with a sentence saying so).
import { NetworkError, ServerError } from './errors.js';
import { classify } from './policy.js';
import type { ProtocolFor } from './protocols/for-target.js';
import { uploadRefOf } from './protocols/port.js';
import type { UploadRecord } from './record.js';
import type { Reporter } from './reporter.js';
import type { Scheduler } from './scheduler.js';
import type { QueuePort } from './store-port.js';

const DAY_MS = 24 * 3600 * 1000;
const CANCEL_RETRY_MS = 3000;

export interface SweepDeps {
  store: QueuePort;
  protocols: ProtocolFor;
  scheduler: Scheduler;
  reporter: Reporter;
  now: () => number;
  retentionMs: number;
  /** Wake the engine again (a cancel left to send, while we live). */
  kick(): void;
}

export class Sweeper {
  private cancelRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: SweepDeps) {}

  async sweep(): Promise<void> {
    const { store, scheduler, reporter, retentionMs } = this.deps;
    const now = this.deps.now();
    let cancelsLeft = false;
    const records = await store.all();
    scheduler.noteWaiting(records);
    for (const record of records) {
      if (record.cancelPending) {
        if (await tellServerCancelled(this.deps.protocols, record)) await store.remove(record.id);
        else cancelsLeft = true;
      } else if (record.state !== 'done' && !record.final && record.addedAt + retentionMs <= now && !scheduler.isRunning(record.id)) {
        await store.update(record.id, { state: 'failed', final: true, retryAt: undefined, notice: { key: 'notice.expired', params: { days: Math.round(retentionMs / DAY_MS) } } }, true);
        scheduler.unqueue(record.id);
        await reporter.announce(record.id);
      }
    }
    // The network may be back a moment after the `online` that woke us: try again while we live
    // (Background Sync wakes us later if we do not).
    if (cancelsLeft && !this.cancelRetry) {
      this.cancelRetry = setTimeout(() => {
        this.cancelRetry = undefined;
        this.deps.kick();
      }, CANCEL_RETRY_MS);
    }
  }
}

/** False while the cancel still has to reach the server: no answer, or one that says come back later. */
export async function tellServerCancelled(protocols: ProtocolFor, record: UploadRecord): Promise<boolean> {
  try {
    await protocols(record.target).cancel(uploadRefOf(record), AbortSignal.timeout(10_000));
    return true;
  } catch (error) {
    // A refusal (4xx) will not change by sending it again: there is nothing left to cancel there.
    return !(error instanceof NetworkError || (error instanceof ServerError && classify(error.status) === 'retry'));
  }
}
