// The HTTP contract shared by the page, the service worker and the server: header names,
// routes, limits and the listing's shape. docs/protocol.md is the prose; the names live here.

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
  /**
   * On a plain status, from a store that keeps it: how many bytes from the start were each checked against
   * a Content-Digest (or an X-Checked-Digest). The bytes past it, up to Upload-Offset, came from a cut body.
   */
  uploadChecked: 'x-upload-checked',
  /**
   * On an append: `sha-256=:<base64>:` of the client's bytes from X-Upload-Checked to X-Start-Byte, proving
   * what a cut body left. A match counts them as checked; a mismatch drops them (409 at the checked offset).
   */
  checkedDigest: 'x-checked-digest',
  /** `1` on the append that completes an upload whose every byte was checked (or whose Repr-Digest matched). */
  uploadVerified: 'x-upload-verified',
} as const;

export const Route = {
  status: '/status',
  upload: '/upload',
  files: '/files',
  /** tus 1.0 and the IETF Resumable Uploads draft: creation here, each upload at /uploads/<id>. */
  uploads: '/uploads/',
  /** Bearer tokens for clients without the owner cookie. */
  tokens: '/tokens',
  /** What the app reads at start-up: where its uploads go (common/target.ts, AppConfig). */
  appConfig: '/app-config',
  /** What is left of the asking owner's quotas (QuotaReport). */
  quota: '/quota',
  /** GET: the server's VAPID public key; POST: the owner's push subscription (replaced); DELETE: none. */
  pushSubscriptions: '/push-subscriptions',
} as const;

/** Ids longer than this are refused with 400. */
export const MAX_ID_LENGTH = 1024;

/** Numbers in headers must stay below this to survive a JavaScript double. */
export const MAX_SAFE_BYTES = Number.MAX_SAFE_INTEGER;

/** The members of a quota-exceeded problem beside its English detail: which quota, its limit, what is used. */
export interface QuotaFacts {
  quota: 'bytes' | 'uploads' | 'files';
  limit: number;
  /** Bytes (or uploads, or files) the owner uses already; absent when a body grew past the quota. */
  used?: number;
  /** The bytes this upload would hold. */
  size?: number;
}

/** `GET /quota`: each of the asking owner's quotas, and what is used of it. */
export type QuotaReport = Record<QuotaFacts['quota'], { limit: number; used: number }>;

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
  /** The client's metadata (tus Upload-Metadata), kept with the upload; absent when it sent none. */
  metadata?: Record<string, string>;
}

/** RFC 9457 problem types the server answers with. */
export const Problem = {
  contentDigestMismatch: '/problems/content-digest-mismatch',
  reprDigestMismatch: '/problems/repr-digest-mismatch',
  /** The bytes past the checked mark did not match X-Checked-Digest: dropped, Upload-Offset at the mark (409). */
  checkedDigestMismatch: '/problems/checked-digest-mismatch',
  /** An owner's storage or upload quota would be passed; `quota` names which, `limit` is its value. */
  quotaExceeded: '/problems/quota-exceeded',
  /** The owner holds the most bearer tokens the server keeps for one (409); `limit` is that number. */
  tokenLimit: '/problems/token-limit',
  /** The host application refused this upload (a mounted handler's onUploadCreate threw a FerryRefusal). */
  refused: '/problems/refused',
  /** A mounted handler's `authenticate` found nobody (401). */
  unauthenticated: '/problems/unauthenticated',
  /** A mounted handler serves nothing at this path and has no `next` to hand it to (404). */
  notFound: '/problems/not-found',
  /** A mounted handler's onUploadCreate hook failed (500); nothing was kept. */
  hookFailed: '/problems/hook-failed',
} as const;

/**
 * The download address of a completed file: always the query form. URL parsers resolve "." and ".."
 * segments (even written %2E%2E) before a request leaves, and proxies such as nginx refuse a path
 * that climbs, so `/files/<id>` cannot name every id; `/files/?id=` can, through any proxy.
 */
export function downloadPath(id: string): string {
  return `${Route.files}/?id=${encodeURIComponent(id)}`;
}
