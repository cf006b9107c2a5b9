// How a run's chunks end, and the sentences a run ends with.
import type { Notice } from '../../common/i18n/catalogue.js';

/** The last hashed chunk, which waits for the whole-file digest before it goes, is at most this long. */
const LAST_CHUNK_MAX = 4 * 1024 * 1024;
export const STARTED_OVER: Notice = { key: 'notice.startedOver' };
export const ALREADY_THERE: Notice = { key: 'notice.alreadyThere' };
/** A retry under way, or bytes that stopped reaching the server: said at once, not after the next answer. */
export const RECONNECTING: Notice = { key: 'notice.reconnecting' };

/**
 * Where a hashed chunk from `start` ends. The last one carries the whole file's Repr-Digest, whose
 * hashing of that chunk cannot start before it is read nor overlap its sending: it is kept to
 * LAST_CHUNK_MAX, so the link waits ~20 ms for it instead of ~0.3 s for a 64 MiB one.
 */
export function chunkEnd(start: number, chunk: number, size: number, wholeFile: boolean): number {
  const end = Math.min(size, start + chunk);
  return wholeFile && end === size && end - start > 2 * LAST_CHUNK_MAX ? size - LAST_CHUNK_MAX : end;
}

/** Verified (or just uploaded), with what was caught on the way; the page composes the sentence. */
export function doneNotice(verified: boolean, damaged: number, startedOver: number): Notice | undefined {
  if (!verified && damaged === 0 && startedOver === 0) return undefined;
  return { key: verified ? 'notice.verified' : 'notice.uploaded', params: { damaged, startedOver } };
}
