// An S3 upload open for appending. Appends are staged in memory until a part is full, which then
// goes up with UploadPart while the body is still arriving. sync() writes meta.json, then the tail:
// a crash between the two leaves a tail that starts behind the parts, and reading trims it.
// The offset is the parts plus the staged bytes.
import type { CompletedFile } from '../../common/protocol.js';
import { advanceSavedSha256, feedBytes, finishSavedSha256, type Lane, type RunningHash } from '../hash-thread.js';
import type { TimeStore } from '../metrics.js';
import { byteLength, splitAt } from './chunks.js';
import { DigestMismatch, type Fence, type OpenUpload } from './port.js';
import { partsBytes, type PartialMeta, type S3Upload } from './s3-upload.js';

/** What is durable in the bucket: the parts recorded in meta.json and the tail object. */
interface Snapshot {
  meta: PartialMeta;
  tail: Buffer[];
}

export class S3OpenUpload implements OpenUpload {
  private meta: PartialMeta;
  private staged: Buffer[];
  private stagedBytes: number;
  /** What the bucket held when this upload was opened, and after the last sync. */
  private readonly opened: Snapshot;
  private durable: Snapshot;
  private syncing: Promise<void> = Promise.resolve();
  private broken: Error | undefined;

  constructor(
    private readonly upload: S3Upload,
    meta: PartialMeta,
    tail: Buffer,
    /** Bytes in each part but the last. */
    private readonly partBytes: number,
    private readonly fence: Fence,
    /** The hashing thread's lane for this upload's work: its owner's. */
    private readonly lane: Lane,
    private readonly time: TimeStore,
  ) {
    this.meta = meta;
    this.staged = tail.length > 0 ? [tail] : [];
    this.stagedBytes = tail.length;
    this.opened = this.durable = { meta, tail: this.staged };
  }

  get offset(): number {
    return partsBytes(this.meta.parts) + this.stagedBytes;
  }

  get size(): number | undefined {
    return this.meta.size ?? undefined;
  }

  async write(chunks: Buffer[], alsoHash?: RunningHash): Promise<void> {
    if (this.broken) throw this.broken;
    this.staged = [...this.staged, ...chunks];
    this.stagedBytes += byteLength(chunks);
    const hashing = alsoHash ? feedBytes([alsoHash], chunks) : Promise.resolve();
    try {
      while (this.stagedBytes >= this.partBytes) await this.sendPart();
    } finally {
      await hashing;
    }
  }

  /** Send the first full part of the staged bytes; the file's SHA-256 state moves past it. */
  private async sendPart(): Promise<void> {
    const [part, rest] = splitAt(this.staged, this.partBytes);
    const body = Buffer.concat(part);
    const number = this.meta.parts.length + 1;
    await this.fence();
    const state = this.meta.sha256State ? Buffer.from(this.meta.sha256State, 'base64') : undefined;
    const [etag, after] = await Promise.all([this.time('s3-part', () => this.upload.sendPart(this.meta, number, body)), advanceSavedSha256(state, part, this.lane)]);
    this.meta = { ...this.meta, parts: [...this.meta.parts, { number, etag, size: body.length }], sha256State: Buffer.from(after).toString('base64') };
    this.staged = rest;
    this.stagedBytes -= body.length;
  }

  sync(): Promise<void> {
    // One at a time: a status poll may sync while the append does, and an older snapshot must never land last.
    const next = this.syncing.then(() => this.syncNow());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  private async syncNow(): Promise<void> {
    if (this.broken) throw this.broken;
    const { meta, staged } = this;
    try {
      // meta.json first: a tail written ahead of the parts it follows could not be trimmed.
      if (meta !== this.durable.meta) {
        await this.fence();
        await this.upload.saveMeta(meta);
      }
      if (staged !== this.durable.tail) {
        await this.fence();
        await this.upload.saveTail(partsBytes(meta.parts), Buffer.concat(staged));
      }
      this.durable = { meta, tail: staged };
    } catch (error) {
      // What is promised from now on is only what surely reached the bucket.
      this.broken = error as Error;
      this.restore(this.durable);
      throw error;
    }
  }

  private restore(snapshot: Snapshot): void {
    this.meta = snapshot.meta;
    this.staged = snapshot.tail;
    this.stagedBytes = byteLength(snapshot.tail);
  }

  /** The staged tail can be cut anywhere; parts committed before this upload was opened cannot. */
  canTruncateTo(offset: number): boolean {
    return offset >= partsBytes(this.opened.meta.parts);
  }

  async truncate(offset: number): Promise<void> {
    if (offset >= this.offset) return;
    if (!this.canTruncateTo(offset)) throw new Error(`cannot truncate to ${offset}, before the parts committed when this upload was opened`);
    // Bytes inside parts sent since opening cannot be taken back one by one: go back to how it was opened.
    if (offset < partsBytes(this.meta.parts)) this.restore(this.opened);
    const keep = Math.min(offset, this.offset) - partsBytes(this.meta.parts);
    this.staged = splitAt(this.staged, keep)[0];
    this.stagedBytes = keep;
    await this.sync();
  }

  async complete(expected?: Buffer): Promise<CompletedFile> {
    await this.sync();
    const state = this.meta.sha256State ? Buffer.from(this.meta.sha256State, 'base64') : undefined;
    const sha256 = (await finishSavedSha256(state, this.staged, this.lane)).toString('hex');
    if (expected && expected.toString('hex') !== sha256) {
      await this.fence();
      this.meta = await this.upload.startOver({ ...this.meta, partBytes: this.partBytes }, this.meta);
      this.durable = { meta: this.meta, tail: [] };
      this.restore(this.durable);
      throw new DigestMismatch(sha256);
    }
    this.meta = { ...this.meta, completing: { size: this.offset, sha256, completedAt: new Date().toISOString(), verified: expected !== undefined } };
    await this.fence();
    await this.upload.saveMeta(this.meta);
    return this.upload.assemble(this.meta, this.fence);
  }

  async close(): Promise<void> {
    // Staged bytes never synced were never promised to anyone; nothing to release.
  }
}
