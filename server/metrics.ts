// What an operator can watch (issue 32): Prometheus metrics through prom-client, each server with
// its own registry (tests run several in one process). Served at /metrics only when METRICS=1, or on
// METRICS_PORT; never public by default.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Protocol = 'ferry' | 'tus' | 'ietf';

/** Why a request was refused, as counted. */
export type Refusal = 'shed' | 'quota' | 'slow-body' | 'digest-mismatch';

/** A store operation whose latency is kept. */
export type StoreOperation = 'fsync' | 's3-part';

export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly uploadsCreated = new Counter({ name: 'ferry_uploads_created_total', help: 'Uploads created, by protocol', labelNames: ['protocol'], registers: this.registers });
  readonly uploadsCompleted = new Counter({ name: 'ferry_uploads_completed_total', help: 'Uploads completed, by protocol', labelNames: ['protocol'], registers: this.registers });
  readonly appendsFailed = new Counter({ name: 'ferry_appends_failed_total', help: 'Appends that ended in an error, by protocol and status', labelNames: ['protocol', 'status'], registers: this.registers });
  readonly bytesReceived = new Counter({ name: 'ferry_bytes_received_total', help: 'Body bytes written to the store (before any digest check)', registers: this.registers });
  readonly bytesKept = new Counter({ name: 'ferry_bytes_kept_total', help: 'Bytes of uploads completed', registers: this.registers });
  readonly refused = new Counter({ name: 'ferry_requests_refused_total', help: 'Requests refused: shed (503), quota (413), slow bodies closed (408), digest mismatches', labelNames: ['reason'], registers: this.registers });
  readonly storeSeconds = new Histogram({
    name: 'ferry_store_seconds', help: 'Latency of store operations: fs fsync, S3 part upload', labelNames: ['operation'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: this.registers,
  });
  readonly takeovers = new Counter({ name: 'ferry_writer_takeovers_total', help: 'Appends stopped by a newer request for the same upload', registers: this.registers });
  readonly hooksPending = new Gauge({ name: 'ferry_hooks_pending', help: 'Finished-upload events waiting for the host\'s hook after a failure', registers: this.registers });

  constructor(appendsOpen: () => number) {
    new Gauge({ name: 'ferry_appends_open', help: 'Appends open now', registers: this.registers, collect() { this.set(appendsOpen()); } });
    collectDefaultMetrics({ register: this.registry, prefix: 'ferry_' });
  }

  /** Time `work` as a store operation. */
  async time<T>(operation: StoreOperation, work: () => Promise<T>): Promise<T> {
    const stop = this.storeSeconds.startTimer({ operation });
    try {
      return await work();
    } finally {
      stop();
    }
  }
}

/** How a store reports the latency of what it does; a no-op when nobody watches. */
export type TimeStore = <T>(operation: StoreOperation, work: () => Promise<T>) => Promise<T>;
export const untimed: TimeStore = (_operation, work) => work();
