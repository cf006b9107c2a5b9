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
  private opened: Snapshot;
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

  /** Send the first full part of the staged bytes; the file's SHA-256 state moves past it, and so does the checked mark's. */
  private async sendPart(): Promise<void> {
    const [part, rest] = splitAt(this.staged, this.partBytes);
    const body = Buffer.concat(part);
    const number = this.meta.parts.length + 1;
    await this.fence();
    const [etag, after, checkedAfter] = await Promise.all([
      this.time('s3-part', () => this.upload.sendPart(this.meta, number, body)),
      advanceSavedSha256(savedState(this.meta.sha256State), part, this.lane),
      this.checkedStateAfter(body),
    ]);
    const { checkedState: _, ...meta } = this.meta;
    this.meta = { ...meta, parts: [...meta.parts, { number, etag, size: body.length }], sha256State: encoded(after), ...(checkedAfter ? { checkedState: encoded(checkedAfter) } : {}) };
    this.staged = rest;
    this.stagedBytes -= body.length;
  }

  /**
   * The SHA-256 state of the bytes from the checked mark to the end of `part` (about to be sent), or
   * undefined when the mark is at 0 (the file's own state serves) or past the part. Only bytes not yet
   * checked are hashed a second time: those of an append still being read, or of a cut body.
   */
  private async checkedStateAfter(part: Buffer): Promise<Uint8Array | undefined> {
    const checked = this.meta.checked ?? 0;
    const from = checked - partsBytes(this.meta.parts);
    if (checked === 0 || from >= part.length) return undefined;
    if (from > 0) return advanceSavedSha256(undefined, [part.subarray(from)], this.lane);
    return advanceSavedSha256(savedState(this.meta.checkedState), [part], this.lane);
  }

  /** The checked mark, never past the bytes held. */
  get checked(): number {
    return Math.min(this.meta.checked ?? 0, this.offset);
  }

  /**
   * Kept in meta.json (written after the bytes it covers were made durable: append-body syncs first).
   * The mark only moves to bytes past the parts, or back to 0: a mark inside sent parts needs their
   * state, which only sendPart can make.
   */
  async markChecked(offset: number): Promise<void> {
    const checked = Math.min(offset, this.offset);
    if (checked === (this.meta.checked ?? 0)) return;
    if (checked > 0 && checked < partsBytes(this.meta.parts)) throw new Error(`the checked mark cannot move to ${checked}, inside parts already sent`);
    const { checkedState: _, ...meta } = this.meta;
    this.meta = { ...meta, checked };
    await this.sync();
  }

  /** SHA-256 of stored bytes `start` to `end`: the parts' share from the checked mark's saved state, the rest from the staged bytes. */
  async hashStored(start: number, end: number): Promise<Buffer> {
    const parts = partsBytes(this.meta.parts);
    const checked = this.meta.checked ?? 0;
    if (end < parts || (start < parts && start !== checked)) throw new Error(`bytes ${start}-${end} cannot be read back from sent parts`);
    const saved = start >= parts ? undefined : checked === 0 ? this.meta.sha256State : this.meta.checkedState;
    const staged = splitAt(splitAt(this.staged, end - parts)[0], Math.max(start, parts) - parts)[1];
    return finishSavedSha256(savedState(saved), staged, this.lane);
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
    // Never claim bytes checked that are no longer there: meta.json (and its lower mark) is written before the tail.
    if ((this.meta.checked ?? 0) > offset) {
      const { checkedState: _, ...meta } = this.meta;
      this.meta = { ...meta, checked: offset };
    }
    await this.sync();
  }

  /** Everything goes: a fresh multipart upload, no tail, no mark. */
  async startOver(): Promise<void> {
    await this.fence();
    this.meta = await this.upload.startOver({ ...this.meta, partBytes: this.partBytes }, this.meta);
    this.opened = this.durable = { meta: this.meta, tail: [] };
    this.restore(this.durable);
  }

  async complete(expected?: Buffer): Promise<CompletedFile> {
    await this.sync();
    const sha256 = (await finishSavedSha256(savedState(this.meta.sha256State), this.staged, this.lane)).toString('hex');
    if (expected && expected.toString('hex') !== sha256) {
      await this.startOver();
      throw new DigestMismatch(sha256);
    }
    this.meta = { ...this.meta, completing: { size: this.offset, sha256, completedAt: new Date().toISOString(), verified: expected !== undefined || this.checked === this.offset } };
    await this.fence();
    await this.upload.saveMeta(this.meta);
    return this.upload.assemble(this.meta, this.fence);
  }

  async close(): Promise<void> {
    // Staged bytes never synced were never promised to anyone; nothing to release.
  }
}

const savedState = (base64: string | undefined): Uint8Array | undefined => (base64 ? Buffer.from(base64, 'base64') : undefined);
const encoded = (state: Uint8Array): string => Buffer.from(state).toString('base64');
