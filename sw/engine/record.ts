// What the worker keeps in IndexedDB for each upload; the File itself lives beside it.
import type { Notice } from '../../common/i18n/catalogue.js';
import type { UploadState } from '../../common/messages.js';

export interface UploadRecord {
  id: string;
  name: string;
  type: string;
  size: number;
  lastModified: number;
  state: UploadState;
  /** Bytes the server confirmed, as last heard. Never trusted for resuming: the server is asked again. */
  offset: number;
  /** Where the upload goes (common/target.ts), fixed when it was picked; absent in records made before destinations: Ferry. */
  target?: string;
  /** What the page gave with the file, sent to the server (docs/embed.md). */
  metadata?: Record<string, string>;
  /** Sent on every request of this upload: a bearer token, say. Replaced by `setHeaders`. */
  headers?: Record<string, string>;
  /** Its URL on a tus or IETF server, once created: a stopped worker or a restarted browser resumes this one. */
  uploadUrl?: string;
  /** Times the server had forgotten the upload (404/410) and it started again from the beginning. */
  startedOver?: number;
  /**
   * Cancelled while the server could not be told: the record stays, hidden from pages, until the
   * server has the cancel (sent on every wake), so its bytes do not wait for the server's sweeper.
   */
  cancelPending?: true;
  /** On a failure: sending again cannot help, and the stored File was dropped. */
  final?: boolean;
  /** A sentence for people (translated where it is shown), when the upload failed, is waiting or finished. */
  notice?: Notice;
  /** Failures in a row since the offset last moved; drives the backoff. */
  failures: number;
  /** Epoch ms of the next retry, while waiting. */
  retryAt?: number;
  addedAt: number;
  completedAt?: number;
  /** The running whole-file SHA-256 (hash-wasm state) and the bytes it has consumed. */
  hashState?: Uint8Array;
  hashedTo?: number;
  /** Times the server found the whole file did not match its digest, and the upload was sent again. */
  verificationFailures?: number;
  /** Chunks the server refused because their bytes did not match their digest (and that were re-sent). */
  corruptedChunks?: number;
}
