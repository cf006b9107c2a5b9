// What the worker keeps in IndexedDB for each upload; the File itself lives beside it.
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
  /** A sentence for people, when the upload failed or is waiting. */
  message?: string;
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
