// Taking a File from a page: its id, its first record, and the sentence when the browser cannot keep it.
import { MAX_ID_LENGTH } from '../../common/protocol.js';
import type { Notice } from '../../common/i18n/catalogue.js';
import type { UploadOptions } from '../../common/messages.js';

export type { UploadOptions } from '../../common/messages.js';
import type { UploadRecord } from './record.js';

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

export function firstRecord(id: string, file: File, now: number, { target, metadata, headers }: UploadOptions = {}): UploadRecord {
  return {
    id, name: file.name, type: file.type, size: file.size, lastModified: file.lastModified,
    state: 'queued', offset: 0, failures: 0, addedAt: now,
    ...(target === undefined ? {} : { target }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(headers === undefined ? {} : { headers }),
  };
}

export function storageFailure(name: string, error: unknown): Notice {
  if (error instanceof DOMException && error.name === 'QuotaExceededError') return { key: 'notice.storageFull', params: { name } };
  const detail = error instanceof Error ? error.message : String(error);
  return { key: 'notice.couldNotKeep', params: { name, detail } };
}
