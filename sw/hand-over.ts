// Taking a File from a page: derive its id, store it, and only then say yes.
import { MAX_ID_LENGTH, type EnqueueReply, type UploadRecord } from '../common/protocol.js';
import type { QueueStore } from './store/queue-store.js';

/**
 * The id derives from size, last-modified time and name, as the classic pattern's
 * does. Percent-encoding makes any script in a name safe in a Latin-1 header; a
 * name too long for the 1,024-character limit is replaced by its SHA-256.
 */
export async function fileIdOf(file: File): Promise<string> {
  const plain = encodeURIComponent(`${file.size}-${file.lastModified}-${file.name}`);
  if (plain.length <= MAX_ID_LENGTH) return plain;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(plain));
  return `sha256-${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** What the hand-over needs from the engine: start early, and learn when the copy is stored or given up. */
export interface HandOverEngine {
  startWith(id: string, file: Blob): Promise<void>;
  stored(id: string): void;
  cancel(id: string): Promise<void>;
}

/**
 * Store the record, start uploading from the File at once, and acknowledge only once
 * IndexedDB has committed its own copy (Chromium copies a picked File: about 4 s a GiB
 * here, which would otherwise come before the first byte). If the copy cannot be
 * kept, the upload is cancelled and the page told why.
 */
export async function handOver(store: QueueStore, engine: HandOverEngine, file: File, now: number): Promise<EnqueueReply> {
  const id = await fileIdOf(file);
  const existing = await store.get(id);
  // The same file picked again while it is still on its way: nothing to add.
  if (existing && existing.state !== 'done' && existing.state !== 'failed') return { ok: true, id };
  const record: UploadRecord = {
    id,
    name: file.name,
    type: file.type,
    size: file.size,
    lastModified: file.lastModified,
    state: 'queued',
    offset: 0,
    failures: 0,
    addedAt: now,
  };
  try {
    await store.addRecord(record);
  } catch (error) {
    return { ok: false, error: storageFailure(file.name, error) };
  }
  await engine.startWith(id, file);
  try {
    await store.putFile(id, file);
  } catch (error) {
    await engine.cancel(id);
    return { ok: false, error: storageFailure(file.name, error) };
  } finally {
    engine.stored(id);
  }
  return { ok: true, id };
}

function storageFailure(name: string, error: unknown): string {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return `There is no room left in this browser's storage to keep “${name}”. Free some space, or upload it once the other files are done.`;
  }
  const detail = error instanceof Error ? error.message : String(error);
  return `This browser could not keep “${name}” for uploading (${detail}).`;
}
