// Reads and hashes chunks of the picked file, one ahead of the chunk being sent,
// so that hashing overlaps the network instead of adding to it.
import { SourceChanged } from './errors.js';
import { sha256Field, sha256Of } from './running-digest.js';

export interface PreparedChunk {
  start: number;
  end: number;
  /** What the request sends: a Blob slice, never the buffer (docs/design.md §3.1). */
  body: Blob;
  /** The same bytes, read once for hashing. */
  bytes: Uint8Array<ArrayBuffer>;
  contentDigest: string;
}

/**
 * The bytes [start, end) of `file`, and the slice they came from. A picked file rewritten on disk
 * refuses every read (NotReadableError): that is a SourceChanged.
 */
export async function readSlice(file: Blob, start: number, end: number): Promise<{ body: Blob; bytes: Uint8Array<ArrayBuffer> }> {
  const body = file.slice(start, end);
  try {
    return { body, bytes: new Uint8Array(await body.arrayBuffer()) };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotReadableError') throw new SourceChanged();
    throw error;
  }
}

export class ChunkReader {
  private ahead: { start: number; chunk: Promise<PreparedChunk> } | undefined;

  constructor(private readonly file: Blob) {}

  /** The chunk starting at `start`: the one read ahead if it starts there (its end wins), else read now up to `end`. */
  take(start: number, end: number): Promise<PreparedChunk> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead?.start === start) return ahead.chunk;
    return this.prepare(start, end);
  }

  /** Whether a chunk from `start` is being read ahead. */
  hasAhead(start: number): boolean {
    return this.ahead?.start === start;
  }

  /** Start reading and hashing the chunk [start, end) now, while the current one is on its way. */
  readAhead(start: number, end: number): void {
    const chunk = this.prepare(start, end);
    chunk.catch(() => undefined); // an unused read-ahead may fail unobserved; take() reports it when used
    this.ahead = { start, chunk };
  }

  drop(): void {
    this.ahead = undefined;
  }

  private async prepare(start: number, end: number): Promise<PreparedChunk> {
    const { body, bytes } = await readSlice(this.file, start, end);
    return { start, end, body, bytes, contentDigest: sha256Field(await sha256Of(bytes)) };
  }
}
