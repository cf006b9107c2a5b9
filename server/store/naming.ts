// How every store names an upload: by digests only, never by a header's text.
import { createHash } from 'node:crypto';

/** An id becomes a fixed-length hex name, so `../`, `/` or 1,024 characters never reach a path or a key. */
export function digestOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Owner keys are hex digests already; refuse anything else rather than build a name from it. */
export function ownerName(owner: string): string {
  if (!/^[0-9a-f]{64}$/.test(owner)) throw new Error('owner key must be a sha256 hex digest');
  return owner;
}
