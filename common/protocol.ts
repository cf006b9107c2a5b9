// The wire contract shared by the page, the service worker and the server.
// DESIGN.md §1 is the prose; this file is the single place the names live.

export const Header = {
  fileId: 'x-file-id',
  startByte: 'x-start-byte',
  /**
   * `1`: this append only continues, so an `X-Start-Byte: 0` that is not what the server holds is 409 like any
   * other wrong start, instead of restarting the upload. Chromium silently resends a POST whose connection died
   * before the answer; without this, a resent first append would throw away what the server kept.
   */
  noRestart: 'x-no-restart',
  fileSize: 'x-file-size',
  fileName: 'x-file-name',
  fileType: 'x-file-type',
  uploadOffset: 'upload-offset',
  uploadComplete: 'x-upload-complete',
  /** On a 413: the largest upload the server accepts, in bytes. */
  uploadLimit: 'x-upload-limit',
  /** RFC 9530: the SHA-256 of this request's body, `sha-256=:<base64>:`. */
  contentDigest: 'content-digest',
  /** RFC 9530: the SHA-256 of the whole file, sent with the append that completes it. */
  reprDigest: 'repr-digest',
  /**
   * `1` on a status request: a progress poll. It reads a live append's offsets without stopping it, and
   * promises nothing. A status without it stops a live append of the upload first, so the offset it
   * answers is one the next append is accepted at.
   */
  progressPoll: 'x-progress-poll',
  /** On status: bytes received, including an open append's bytes not yet verified by its Content-Digest. */
  uploadReceived: 'x-upload-received',
} as const;

export const Route = {
  status: '/status',
  upload: '/upload',
  files: '/files',
} as const;

/** Ids longer than this are refused with 400. */
export const MAX_ID_LENGTH = 1024;

/** Numbers in headers must stay below this to survive a JavaScript double. */
export const MAX_SAFE_BYTES = Number.MAX_SAFE_INTEGER;

/** One entry of `GET /files`: a completed upload of the asking owner. */
export interface CompletedFile {
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  /** ISO 8601 */
  completedAt: string;
  /** True when the client's whole-file digest (Repr-Digest) matched the bytes stored. */
  verified: boolean;
}

/** RFC 9457 problem types the server answers with. */
export const Problem = {
  contentDigestMismatch: '/problems/content-digest-mismatch',
  reprDigestMismatch: '/problems/repr-digest-mismatch',
} as const;

// ---- Page ↔ service worker (DESIGN §2) ----

/** The states of one upload in the worker's loop. */
export type UploadState = 'queued' | 'uploading' | 'waiting-for-network' | 'paused' | 'done' | 'failed';

/** What the worker keeps in IndexedDB for each upload (the File itself lives beside it). */
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

/** A record as the pages see it, with what the worker measures live. */
export interface UploadView extends UploadRecord {
  /** Bytes per second, from server-confirmed offsets. */
  rate: number;
  /** Seconds left at the current rate, when it can be told. */
  etaSeconds?: number;
}

/** Messages a page sends to the worker. Each gets a reply on its MessageChannel port. */
export type PageMessage =
  | { type: 'ferry:hello' }
  | { type: 'ferry:enqueue'; file: File }
  | { type: 'ferry:pause'; id: string }
  | { type: 'ferry:resume'; id: string }
  | { type: 'ferry:cancel'; id: string }
  | { type: 'ferry:retry'; id: string }
  | { type: 'ferry:clear-finished' }
  | { type: 'ferry:get-settings' }
  | { type: 'ferry:set-concurrency'; value: number }
  /** Integrity digests on (the default) or off; off exists only so the benchmark can measure their cost. */
  | { type: 'ferry:set-digests'; value: boolean }
  | { type: 'ferry:online' }
  | { type: 'ferry:heartbeat' };

export type EnqueueReply = { ok: true; id: string } | { ok: false; error: string };

/** The worker's settings, kept in IndexedDB. */
export interface Settings {
  /** How many uploads run at once. */
  concurrency: number;
  /** Send Content-Digest and Repr-Digest with appends. */
  digests: boolean;
}

export const DEFAULT_SETTINGS: Settings = { concurrency: 3, digests: true };
export const CONCURRENCY_CHOICES = [1, 2, 3, 4, 6] as const;

/** Messages the worker broadcasts to every open page. */
export type WorkerMessage =
  | { type: 'ferry:snapshot'; uploads: UploadView[] }
  | { type: 'ferry:update'; upload: UploadView }
  | { type: 'ferry:removed'; id: string };

/** The download address of a completed file. Ids of only dots would be resolved away as path segments, so those use the query form. */
export function downloadPath(id: string): string {
  return /^\.+$/.test(id) ? `${Route.files}/?id=${encodeURIComponent(id)}` : `${Route.files}/${encodeURIComponent(id)}`;
}
