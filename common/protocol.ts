// The wire contract shared by the page, the service worker and the server.
// DESIGN.md §1 is the prose; this file is the single place the names live.

export const Header = {
  fileId: 'x-file-id',
  startByte: 'x-start-byte',
  fileSize: 'x-file-size',
  fileName: 'x-file-name',
  fileType: 'x-file-type',
  uploadOffset: 'upload-offset',
  uploadComplete: 'x-upload-complete',
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
}
