// Keeps the running whole-file digest in step with the offset the server confirmed,
// and makes the digest headers for each chunk. While a chunk travels, the digest runs
// ahead as if it will be confirmed; the answer settles whether that stands.
import { Header } from '../../common/protocol.js';
import { readSlice, type PreparedChunk } from './chunk-reader.js';
import { RunningDigest, sha256Field, sha256Of, type SavedDigest } from './running-digest.js';

// Reading to catch the digest up happens in slices this large.
const READ_SLICE = 8 * 1024 * 1024;

interface Bytes {
  start: number;
  bytes: Uint8Array;
}

export class Integrity {
  /**
   * How far the server checked every byte against our chunk digests (X-Upload-Checked), from a server
   * that keeps it. With it there is no whole-file digest (the file's second hashing, in hash-wasm):
   * the bytes a cut body left past it are proven with one digest of them (X-Checked-Digest).
   */
  checked: number | undefined;
  /** The chunk in flight, and the digest as it was before it, to go back to if the server does not confirm it. */
  private inFlight: { chunk: Bytes; end: number; before?: SavedDigest } | { unhashed: true } | undefined;
  /** The proof of a stretch, worked out while it travelled unhashed. */
  private proof: { from: number; to: number; field: Promise<string> } | undefined;

  /**
   * The whole file's running digest, made when first needed: a server that keeps the checked mark (or
   * takes no digests) never needs it, and instantiating hash-wasm before each file's first byte cost a
   * batch of 300 photos 114 ms of the worker's thread. Until then `saved` is where it stands.
   */
  private digest: RunningDigest | undefined;
  private making: Promise<RunningDigest> | undefined;

  constructor(private readonly file: Blob, private saved?: SavedDigest) {}

  /** Whether the whole file's running digest is kept, for its Repr-Digest: when the server keeps no checked mark. */
  get wholeFile(): boolean {
    return this.checked === undefined;
  }

  /** A chunk from `start` may go with no digest, proven by the next append: the server keeps the mark, and it is at `start`. */
  mayGoUnhashed(start: number): boolean {
    return this.checked === start;
  }

  /**
   * The chunk [start, end) goes with no digest (so the link need not wait for its read and hash): the
   * server will hold it unchecked, and the next append proves it. Its proof is worked out meanwhile.
   */
  beginUnhashed(start: number, end: number): void {
    this.inFlight = { unhashed: true };
    const field = this.proofOf(start, end);
    field.catch(() => undefined); // a read that fails is met again when the proof is asked for
    this.proof = { from: start, to: end, field };
  }

  /**
   * A chunk is about to go: its headers, with the whole file's Repr-Digest when it is the last, or the
   * proof of what a cut body left unchecked before it.
   */
  async begin(chunk: PreparedChunk, isLast: boolean): Promise<Record<string, string>> {
    this.inFlight = { chunk: { start: chunk.start, bytes: chunk.bytes }, end: chunk.end };
    const worked = this.proof;
    this.proof = undefined;
    const headers: Record<string, string> = { [Header.contentDigest]: chunk.contentDigest };
    if (this.checked !== undefined && this.checked < chunk.start) {
      const ready = worked?.from === this.checked && worked.to === chunk.start ? worked.field : undefined;
      headers[Header.checkedDigest] = await (ready ?? this.proofOf(this.checked, chunk.start));
    }
    if (isLast && this.wholeFile) {
      await this.advanceTo(chunk.start);
      headers[Header.reprDigest] = sha256Field((await this.running()).digestWith(chunk.bytes));
    }
    return headers;
  }

  /**
   * While the chunk travels: bring the digest to its start (after a resume the server may hold bytes
   * we never hashed), and run it past the chunk as if the server will confirm it.
   */
  async runAhead(): Promise<void> {
    const flight = this.inFlight;
    if (!flight || 'unhashed' in flight || !this.wholeFile) return;
    await this.advanceTo(flight.chunk.start);
    flight.before = (await this.running()).save();
    await this.advanceTo(flight.end, flight.chunk);
  }

  /**
   * The chunk's answer: `confirmed` is the offset the server now holds, or undefined when it holds
   * nothing new we can count on. Running ahead stands only if the server confirmed exactly the chunk;
   * otherwise the digest goes back to the chunk's start, and the next chunk brings it up from there.
   * A server that keeps the checked mark confirms only bytes it checked (the body and any proof).
   */
  async settle(confirmed: number | undefined): Promise<void> {
    const flight = this.inFlight;
    this.inFlight = undefined;
    // A chunk that went unhashed is held unchecked: the mark stays where it was.
    if (flight && 'unhashed' in flight) return;
    if (this.checked !== undefined && confirmed !== undefined) this.checked = confirmed;
    if (flight?.before && confirmed !== flight.end) this.digest = await RunningDigest.start(flight.before);
  }

  private running(): Promise<RunningDigest> {
    if (this.digest) return Promise.resolve(this.digest);
    if (this.making) return this.making;
    const making: Promise<RunningDigest> = RunningDigest.start(this.saved).then((made) => {
      if (this.making === making) this.digest = made; // not one a reset() meanwhile made stale
      return made;
    });
    return (this.making = making);
  }

  /** X-Checked-Digest: the SHA-256 of our bytes `from` to `to`, which a cut body left on the server unchecked. */
  private async proofOf(from: number, to: number): Promise<string> {
    return sha256Field(await sha256Of((await readSlice(this.file, from, to)).bytes));
  }

  /** The server threw the upload away after a whole-file mismatch: start the digest over too. */
  reset(): void {
    this.digest?.reset();
    this.saved = undefined;
    if (!this.digest) this.making = undefined;
  }

  /** Where the digest stands, for IndexedDB; undefined: at 0. */
  save(): SavedDigest | undefined {
    return this.digest?.save() ?? this.saved;
  }

  /**
   * Bring the digest to `offset`: from the chunk just sent where it covers the gap,
   * else by reading the file. A server that holds less than we hashed means starting over.
   */
  private async advanceTo(offset: number, chunk?: Bytes): Promise<void> {
    const digest = await this.running();
    if (offset < digest.at) digest.reset();
    if (chunk && chunk.start === digest.at && offset <= chunk.start + chunk.bytes.length) {
      digest.update(chunk.bytes.subarray(0, offset - chunk.start));
      return;
    }
    while (digest.at < offset) {
      const end = Math.min(offset, digest.at + READ_SLICE);
      digest.update((await readSlice(this.file, digest.at, end)).bytes);
    }
  }
}
