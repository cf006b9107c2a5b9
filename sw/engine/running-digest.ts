// The whole file's SHA-256, computed as the upload goes, with a state that can be
// saved to IndexedDB and restored, so a stopped worker does not rehash from 0.
import { createSHA256, type IHasher } from 'hash-wasm';

export interface SavedDigest {
  state: Uint8Array;
  /** Bytes of the file the state has consumed. */
  at: number;
}

export class RunningDigest {
  private constructor(private readonly hasher: IHasher, private position: number) {}

  static async start(saved?: SavedDigest): Promise<RunningDigest> {
    const hasher = await createSHA256();
    hasher.init();
    if (saved) hasher.load(saved.state);
    return new RunningDigest(hasher, saved?.at ?? 0);
  }

  get at(): number {
    return this.position;
  }

  update(bytes: Uint8Array): void {
    this.hasher.update(bytes);
    this.position += bytes.length;
  }

  reset(): void {
    this.hasher.init();
    this.position = 0;
  }

  save(): SavedDigest {
    return { state: this.hasher.save(), at: this.position };
  }

  /** The digest of everything so far followed by `tail`, leaving this one where it was. */
  digestWith(tail: Uint8Array): Uint8Array {
    const saved = this.hasher.save();
    this.hasher.update(tail);
    const digest = this.hasher.digest('binary') as Uint8Array;
    this.hasher.init();
    this.hasher.load(saved);
    return digest;
  }
}

/** RFC 9530 field value for a SHA-256 digest. */
export function sha256Field(digest: Uint8Array): string {
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `sha-256=:${btoa(binary)}:`;
}

export async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
