// What the engine needs of the place it keeps uploads: IndexedDB in the worker (sw/store), memory in tests.
import type { UploadRecord } from './record.js';

/** What one upload's run reads and writes. */
export interface LoopStore {
  get(id: string): Promise<UploadRecord | undefined>;
  file(id: string): Promise<Blob | undefined>;
  /**
   * Merge `patch` only while the record is still runnable, so a pause or cancel is never overwritten;
   * with `dropFile`, drop the stored File in the same transaction.
   */
  updateRunnable(id: string, patch: Partial<UploadRecord>, dropFile?: boolean): Promise<UploadRecord | undefined>;
}

/** What the scheduler and the controls read and write. */
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
