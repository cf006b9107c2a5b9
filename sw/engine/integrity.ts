// Keeps the running whole-file digest in step with the offset the server confirmed,
// and makes the digest headers for each chunk (issue: end-to-end integrity).
import { RunningDigest, sha256Field, type SavedDigest } from './running-digest.js';

// Reading to catch the digest up happens in slices this large.
const READ_SLICE = 8 * 1024 * 1024;

export class Integrity {
  private constructor(private readonly file: Blob, private digest: RunningDigest) {}

  static async start(file: Blob, saved?: SavedDigest): Promise<Integrity> {
    return new Integrity(file, await RunningDigest.start(saved));
  }

  /** Repr-Digest of the whole file, when `lastChunk` completes it. Requires the digest at the chunk's start. */
  reprDigestWith(lastChunk: Uint8Array): string {
    return sha256Field(this.digest.digestWith(lastChunk));
  }

  /**
   * Bring the digest to `offset`: from the chunk just sent where it covers the gap,
   * else by reading the file. A server that holds less than we hashed means starting over.
   */
  async advanceTo(offset: number, chunk?: { start: number; bytes: Uint8Array }): Promise<void> {
    if (offset < this.digest.at) this.digest.reset();
    if (chunk && chunk.start === this.digest.at && offset <= chunk.start + chunk.bytes.length) {
      this.digest.update(chunk.bytes.subarray(0, offset - chunk.start));
      return;
    }
    while (this.digest.at < offset) {
      const end = Math.min(offset, this.digest.at + READ_SLICE);
      this.digest.update(new Uint8Array(await this.file.slice(this.digest.at, end).arrayBuffer()));
    }
  }

  /** The server threw the upload away after a whole-file mismatch: start the digest over too. */
  reset(): void {
    this.digest.reset();
  }

  save(): SavedDigest {
    return this.digest.save();
  }

  /** Go back to a state saved earlier (after a speculative advance the server did not confirm). */
  async restore(saved: SavedDigest): Promise<void> {
    this.digest = await RunningDigest.start(saved);
  }
}
