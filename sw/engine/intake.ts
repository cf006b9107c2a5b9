// Taking Files from a page: keep their records, start uploading from the Files in hand at once, and
// answer only once IndexedDB has committed its own copies (Chromium copies a picked File, seconds per
// GiB: docs/design.md §3.4). From that answer on, an upload survives a closed tab.
import type { EnqueueReply } from '../../common/messages.js';
import type { HandedFiles } from './handed-files.js';
import { fileIdOf, firstRecord, storageFailure, type UploadOptions } from './hand-over.js';
import type { ProtocolFor } from './protocols/for-target.js';
import type { UploadRecord } from './record.js';
import type { QueuePort } from './store-port.js';

/** Files up to this size are stored with their record, before the upload starts. */
const STORED_WITH_RECORD_BYTES = 8_000_000;
/** Small files kept in one transaction: at most this many bytes of them. */
const TRANSACTION_BYTES = 16_000_000;

export interface IntakeDeps {
  store: QueuePort;
  protocols: ProtocolFor;
  handed: HandedFiles;
  now: () => number;
  isRunning(id: string): boolean;
  /** A new upload is kept: show it, and let it start. */
  accepted(record: UploadRecord): void;
  /** Its copy could not be kept: forget the upload. */
  cancel(id: string): Promise<void>;
}

/** A file of a pick, at `index` in it, with its first record. */
interface NewUpload {
  index: number;
  record: UploadRecord;
  file: File;
}

export class Intake {
  private largeCopies: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: IntakeDeps) {}

  /** One reply per file, in order. A copy that cannot be kept cancels its upload, and the reply says why. */
  async enqueue(files: File[], given: UploadOptions = {}): Promise<EnqueueReply[]> {
    let options = given;
    try {
      this.deps.protocols(options.target);
      // Kept resolved: a host that changes its default target later never splits a file.
      const target = this.deps.protocols.resolve?.(options.target);
      if (target !== undefined) options = { ...options, target };
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
      const record = firstRecord(id, file, this.deps.now(), options);
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
      this.deps.handed.hand(record.id, file, true);
      this.deps.accepted(record);
      return { ok: true, id: record.id };
    });
  }

  /** A large file is uploaded from the File in hand while its copy is written. */
  private async addLarge(record: UploadRecord, file: File): Promise<EnqueueReply> {
    // The upload starts as the record is written, not once it is: IndexedDB commits in order, so the
    // run's own writes land after it (pick to first byte was waiting on that commit).
    const recorded = this.deps.store.addRecords([{ record }]);
    this.deps.handed.hand(record.id, file, false);
    this.deps.accepted(record);
    try {
      await recorded;
      await this.deps.store.putFile(record.id, file);
    } catch (error) {
      this.deps.handed.forget(record.id);
      await this.deps.cancel(record.id);
      return { ok: false, notice: storageFailure(file.name, error) };
    }
    this.deps.handed.stored(record.id, this.deps.isRunning(record.id));
    return { ok: true, id: record.id };
  }
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
