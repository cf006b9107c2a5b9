// The only file that knows the database's name, version and schema.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { UploadRecord } from '../../common/protocol.js';

export interface FerrySchema extends DBSchema {
  /** One record per upload, by file id. */
  uploads: { key: string; value: UploadRecord };
  /** The picked File itself, by file id, until the server has all of it. */
  files: { key: string; value: Blob };
}

export type FerryDb = IDBPDatabase<FerrySchema>;

const NAME = 'ferry';
const VERSION = 1;

export function openFerryDb(): Promise<FerryDb> {
  return openDB<FerrySchema>(NAME, VERSION, {
    upgrade(db, oldVersion) {
      // Migrations only ever climb: add an `if (oldVersion < N)` step per version, never drop stores.
      if (oldVersion < 1) {
        db.createObjectStore('uploads', { keyPath: 'id' });
        db.createObjectStore('files');
      }
    },
  });
}
