// What one upload's run is given: where it starts from, and what it may call.
import type { UploadRecord } from './record.js';
import type { UploadProtocol } from './protocols/port.js';
import type { ChunkTiming } from './send-chunk.js';
import type { LoopStore } from './store-port.js';

export interface LoopDeps extends ChunkTiming {
  /** The protocol of the upload's destination. */
  protocol: UploadProtocol;
  store: LoopStore;
  /** Read IndexedDB's copy of `id` from now on, not the File handed over; false while that copy is still being written. */
  useStoredCopy?(id: string): boolean;
  /** Send Content-Digest and Repr-Digest (default true). */
  digests?: boolean;
  /**
   * Resolve after `ms`, or sooner when a page reports `online` or `signal` aborts; at once if
   * a page reported `online` after `since` (the failed attempt began before the network came back).
   */
  sleep(ms: number, signal: AbortSignal, since: number): Promise<void>;
  /** Tell the pages: the record as saved and the measured rate in bytes/s. */
  report(record: UploadRecord, rate: number): void;
  /** The server has every byte: what is left is writing that down, so the next upload may start. */
  finishing?(): void;
  random?: () => number;
  statusTimeoutMs?: number;
  /** What the browser believes about the network (navigator.onLine), for the sentence after a failure. */
  online?: () => boolean;
}

/** What a run starts from: the record as last written, and the File (`handed` over in this worker's life, else IndexedDB's copy). */
export interface RunSource {
  record: UploadRecord;
  file: Blob | undefined;
  handed: boolean;
}
