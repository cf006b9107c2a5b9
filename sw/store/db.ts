// The only file that knows the database's schema and version; its name is the host's (installFerry's `databaseName`).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Settings } from '../../common/messages.js';
import type { UploadRecord } from '../engine/record.js';

export interface FerrySchema extends DBSchema {
  /** One record per upload, by file id. */
  uploads: { key: string; value: UploadRecord };
  /** The picked File itself, by file id, until the server has all of it. */
  files: { key: string; value: Blob };
  /** Worker settings, under the key 'settings'. */
  settings: { key: string; value: Settings };
}

export type FerryDb = IDBPDatabase<FerrySchema>;

export const DEFAULT_DATABASE_NAME = 'ferry';
const VERSION = 2;

export function openFerryDb(name = DEFAULT_DATABASE_NAME): Promise<FerryDb> {
  return openDB<FerrySchema>(name, VERSION, {
    upgrade(db, oldVersion) {
      // Migrations only ever climb: add an `if (oldVersion < N)` step per version, never drop stores.
      if (oldVersion < 1) {
        db.createObjectStore('uploads', { keyPath: 'id' });
        db.createObjectStore('files');
      }
      if (oldVersion < 2) {
        db.createObjectStore('settings');
      }
    },
    // A newer worker is upgrading the schema: let go, so its upgrade is not blocked by us.
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase).close();
    },
  });
}
