// The upload queue's operations on IndexedDB. Every write is done when its transaction is.
import { DEFAULT_SETTINGS, type Settings } from '../../common/messages.js';
import type { UploadRecord } from './record.js';
import type { QueuePort } from '../engine/engine.js';
import { RUNNABLE } from '../engine/upload-loop.js';
import { openFerryDb, type FerryDb } from './db.js';

export class QueueStore implements QueuePort {
  private constructor(private readonly db: FerryDb) {}

  static async open(): Promise<QueueStore> {
    return new QueueStore(await openFerryDb());
  }

  async addRecords(entries: ReadonlyArray<{ record: UploadRecord; file?: Blob }>): Promise<void> {
    // 'files' only when needed: a readwrite scope on it waits behind a large File still being copied.
    const withFiles = entries.some((entry) => entry.file);
    const tx = this.db.transaction(withFiles ? ['uploads', 'files'] : ['uploads'], 'readwrite');
    const puts = entries.flatMap(({ record, file }) => [tx.objectStore('uploads').put(record), file ? tx.objectStore('files').put(file, record.id) : undefined]);
    await Promise.all([...puts, tx.done]);
  }

  /** Keep the File itself; resolves once the copy is committed. */
  async putFile(id: string, file: Blob): Promise<void> {
    await this.db.put('files', file, id);
  }

  get(id: string): Promise<UploadRecord | undefined> {
    return this.db.get('uploads', id);
  }

  all(): Promise<UploadRecord[]> {
    return this.db.getAll('uploads');
  }

  file(id: string): Promise<Blob | undefined> {
    return this.db.get('files', id);
  }

  update(id: string, patch: Partial<UploadRecord>, dropFile = false): Promise<UploadRecord | undefined> {
    return this.patch(id, patch, () => true, dropFile);
  }

  updateRunnable(id: string, patch: Partial<UploadRecord>, dropFile = false): Promise<UploadRecord | undefined> {
    return this.patch(id, patch, (record) => RUNNABLE.has(record.state), dropFile);
  }

  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['uploads', 'files'], 'readwrite');
    await Promise.all([tx.objectStore('uploads').delete(id), tx.objectStore('files').delete(id), tx.done]);
  }

  async settings(): Promise<Settings> {
    return { ...DEFAULT_SETTINGS, ...(await this.db.get('settings', 'settings')) };
  }

  /** Change some settings, keeping the others, in one transaction. */
  async updateSettings(patch: Partial<Settings>): Promise<void> {
    const tx = this.db.transaction('settings', 'readwrite');
    const current = { ...DEFAULT_SETTINGS, ...(await tx.store.get('settings')) };
    await Promise.all([tx.store.put({ ...current, ...patch }, 'settings'), tx.done]);
  }

  /** Read, check and write in one transaction, so two writers cannot lose each other's change. */
  private async patch(id: string, patch: Partial<UploadRecord>, allowed: (record: UploadRecord) => boolean, dropFile = false): Promise<UploadRecord | undefined> {
    // 'files' only when needed: a readwrite scope on it waits behind a large File still being copied.
    const tx = this.db.transaction(dropFile ? ['uploads', 'files'] : ['uploads'], 'readwrite');
    const uploads = tx.objectStore('uploads');
    const record = await uploads.get(id);
    if (!record || !allowed(record)) {
      await tx.done;
      return undefined;
    }
    const next = { ...record, ...patch };
    for (const key of Object.keys(patch) as Array<keyof UploadRecord>) {
      if (patch[key] === undefined) delete next[key];
    }
    await Promise.all([uploads.put(next), dropFile ? tx.objectStore('files').delete(id) : undefined, tx.done]);
    return next;
  }
}
