// A partial upload of the filesystem store, open for appending: positioned writes into its data
// file, fdatasync, the running SHA-256 fed from the page cache, and completion by one rename.
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CompletedFile } from '../../common/protocol.js';
import { feedFromFile, runningHash, type Lane, type RunningHash } from '../hash-thread.js';
import type { TimeStore } from '../metrics.js';
import { splitAt } from './chunks.js';
import { writeFileAtomic } from './durable-fs.js';
import { DigestMismatch, type OpenUpload, type UploadRecord } from './port.js';

export interface Meta extends UploadRecord {
  /** Bytes from the start each checked against a client's digest (a partial upload). */
  checked?: number;
  sha256?: string;
  completedAt?: string;
  verified?: boolean;
}

/** The checked mark as far as it can count: never past the bytes the data file holds. */
export function checkedOf(meta: Meta, held: number): number {
  return Math.min(meta.checked ?? 0, held);
}

/** Bytes written between two background flushes of a long append. */
const BACKGROUND_FLUSH_BYTES = 16 * 1024 * 1024;

/** A hash and how many bytes of the file it has consumed. */
export interface SavedHash {
  hash: RunningHash;
  at: number;
}

export interface FileHash extends SavedHash {
  /** A copy of the hash as it stood at the checked mark: a refused proof rolls back to it. */
  atChecked?: SavedHash;
}

export class FsOpenUpload implements OpenUpload {
  private hashing: Promise<void> = Promise.resolve();
  /** A flush started in the background while the body still arrives, and the offset written since the last one. */
  private flushing: Promise<void> = Promise.resolve();
  private unflushed = 0;
  /** A copy of the hash as it stood when this append opened: a refused body rolls back to it, not to nothing. */
  private opened: SavedHash | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly dataPath: string,
    private readonly meta: Meta,
    public offset: number,
    private readonly hashes: Map<string, FileHash>,
    private readonly key: string,
    private readonly move: () => Promise<void>,
    /** The hashing thread's lane for this upload's work: its owner's. */
    private readonly lane: Lane,
    private readonly time: TimeStore,
  ) {}

  get size(): number | undefined {
    return this.meta.size ?? undefined;
  }

  get checked(): number {
    return checkedOf(this.meta, this.offset);
  }

  /** Kept in meta.json, written after the bytes it covers were made durable (append-body syncs first). */
  async markChecked(offset: number): Promise<void> {
    if (offset === this.meta.checked) return;
    this.meta.checked = Math.min(offset, this.offset);
    await writeFileAtomic(path.join(path.dirname(this.dataPath), 'meta.json'), JSON.stringify(this.meta));
    const running = this.hashes.get(this.key);
    if (running?.at === this.meta.checked) {
      running.atChecked?.hash.dispose();
      running.atChecked = { hash: running.hash.copy(), at: running.at };
    }
  }

  async hashStored(start: number, end: number): Promise<Buffer> {
    await this.hashing;
    const hash = runningHash('sha256', this.lane);
    try {
      await feedFromFile([hash], this.dataPath, start, end);
      return await hash.digest();
    } finally {
      hash.dispose();
    }
  }

  async write(chunks: Buffer[], alsoHash?: RunningHash): Promise<void> {
    const running = this.hashes.get(this.key);
    const hash = running?.at === this.offset ? running : undefined;
    if (!hash) forgetHash(this.hashes, this.key);
    const before = this.offset;
    try {
      let pending = chunks;
      while (pending.length > 0) {
        const { bytesWritten } = await this.handle.writev(pending, this.offset);
        this.offset += bytesWritten;
        pending = splitAt(pending, bytesWritten)[1];
        this.flushInBackground(bytesWritten);
      }
    } finally {
      // The hashing thread reads what was stored back from the page cache: exactly those bytes,
      // no copy. It hashes this batch while the next one is written; one batch in flight at most.
      const fed = [hash?.hash, alsoHash].filter((each) => each !== undefined);
      if (hash) hash.at = this.offset;
      const previous = this.hashing;
      this.hashing = feedFromFile(fed, this.dataPath, before, this.offset).catch(() => {
        if (hash) hash.at = -1; // never in step again: rebuilt from disk when needed
      });
      await previous;
    }
  }

  async sync(): Promise<void> {
    await this.flushing;
    this.unflushed = 0;
    await this.time('fsync', () => this.handle.datasync());
  }

  /**
   * Start writing back what a long body has written so far, without waiting: the kernel would
   * otherwise hold it all until the final fdatasync, which then stalls the answer for seconds
   * (a 256 MiB append ran 0.92 × @tus/server with the one final flush, 1.1 × without any).
   */
  private flushInBackground(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < BACKGROUND_FLUSH_BYTES) return;
    this.unflushed = 0;
    this.flushing = this.flushing.then(() => this.handle.datasync()).catch(() => undefined);
  }

  async truncate(offset: number): Promise<void> {
    if (offset >= this.offset) return;
    // Never claim bytes checked that are no longer there, even after a crash: lower the mark first.
    if ((this.meta.checked ?? 0) > offset) await this.markChecked(offset);
    await this.handle.truncate(offset);
    await this.handle.datasync();
    this.offset = offset;
    await this.rollBackHash(offset);
  }

  /**
   * Bring the running hash back to `offset` from the newest copy at or before it (this append's
   * start, or the checked mark), so a refused body costs the bytes past that copy, not a re-hash of
   * everything held (issue 28, H1: two tiny requests re-hashed a GiB on the shared thread).
   */
  private async rollBackHash(offset: number): Promise<void> {
    const running = this.hashes.get(this.key);
    const atChecked = running?.atChecked && running.atChecked.at <= offset ? running.atChecked : undefined;
    const from = [this.opened, atChecked].filter((saved) => saved !== undefined && saved.at <= offset)
      .sort((a, b) => b!.at - a!.at)[0];
    running?.hash.dispose();
    if (running?.atChecked !== atChecked) running?.atChecked?.hash.dispose();
    this.hashes.delete(this.key);
    if (!from) return;
    const hash = from.hash.copy();
    await feedFromFile([hash], this.dataPath, from.at, offset);
    this.hashes.set(this.key, { hash, at: offset, ...(atChecked ? { atChecked } : {}) });
  }

  async complete(expected?: Buffer): Promise<CompletedFile> {
    await this.handle.datasync();
    await this.hashing; // a batch whose hashing failed must be known before the digest is trusted
    const sha256 = (await (await this.hash()).digest()).toString('hex');
    forgetHash(this.hashes, this.key); // the digest used its hash up; an out-of-step one is freed too
    if (expected && expected.toString('hex') !== sha256) {
      await this.truncate(0);
      throw new DigestMismatch(sha256);
    }
    const verified = expected !== undefined || this.checked === this.offset;
    const { checked: _, ...record } = this.meta;
    const done: Meta = { ...record, size: this.offset, sha256, completedAt: new Date().toISOString(), verified };
    const dir = path.dirname(this.dataPath);
    await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(done));
    await this.move();
    return toCompleted(done);
  }

  /** The running hash, or one rebuilt from the bytes on disk when this process has none. */
  private async hash(): Promise<RunningHash> {
    const running = this.hashes.get(this.key);
    if (running?.at === this.offset) return running.hash;
    const hash = runningHash('sha256', this.lane);
    await feedFromFile([hash], this.dataPath, 0, this.offset);
    return hash;
  }

  /** Start a running hash from the bytes already on disk, so later appends only hash what they add. */
  async primeHash(): Promise<void> {
    if (this.hashes.get(this.key)?.at !== this.offset) {
      forgetHash(this.hashes, this.key);
      this.hashes.set(this.key, { hash: await this.hash(), at: this.offset });
    }
    this.opened = { hash: this.hashes.get(this.key)!.hash.copy(), at: this.offset };
  }

  async close(): Promise<void> {
    this.opened?.hash.dispose();
    this.opened = undefined;
    await this.hashing;
    await this.flushing;
    await this.handle.close();
  }
}

export function forgetHash(hashes: Map<string, FileHash>, key: string): void {
  hashes.get(key)?.hash.dispose();
  hashes.get(key)?.atChecked?.hash.dispose();
  hashes.delete(key);
}

export function toCompleted(meta: Meta): CompletedFile {
  return {
    id: meta.id,
    name: meta.name,
    type: meta.type,
    size: meta.size ?? 0,
    sha256: meta.sha256 ?? '',
    completedAt: meta.completedAt ?? '',
    verified: meta.verified === true,
    ...(meta.metadata ? { metadata: meta.metadata } : {}),
  };
}
