// Keeps the running whole-file digest in step with the offset the server confirmed,
// and makes the digest headers for each chunk (issue: end-to-end integrity).
import { Header } from '../../common/protocol.js';
import { RunningDigest, sha256Field, sha256Of, type SavedDigest } from './running-digest.js';

// Reading to catch the digest up happens in slices this large.
const READ_SLICE = 8 * 1024 * 1024;

export class Integrity {
  private constructor(private readonly file: Blob, private readonly digest: RunningDigest) {}

  static async start(file: Blob, saved?: SavedDigest): Promise<Integrity> {
    return new Integrity(file, await RunningDigest.start(saved));
  }

  /** Content-Digest for this chunk, and Repr-Digest for the whole file when it is the last one. Requires the digest at `start`. */
  async headersFor(bytes: Uint8Array<ArrayBuffer>, isLast: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = { [Header.contentDigest]: sha256Field(await sha256Of(bytes)) };
    if (isLast) headers[Header.reprDigest] = sha256Field(this.digest.digestWith(bytes));
    return headers;
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
}
