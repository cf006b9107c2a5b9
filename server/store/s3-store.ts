// The S3 store (issue 6): each upload is a multipart upload in an S3-compatible object store,
// so any server instance can continue any upload.
//
//   partial/<owner>/<sha256(id)>/meta.json   name, type, size, the multipart upload, its parts,
//                                            and the SHA-256 state after those parts
//   partial/<owner>/<sha256(id)>/tail        the bytes after the last part (x-amz-meta-base: where they start)
//   complete/<owner>/<sha256(id)>/data       the finished object: the multipart upload's key
//   complete/<owner>/<sha256(id)>/meta.json  the file as GET /files lists it
//
// Appends are staged in memory until a part is full. sync() writes meta.json, then the tail:
// a crash between the two leaves a tail that starts behind the parts, and reading trims it.
// The offset is the parts plus the tail.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedFile } from '../../common/protocol.js';
import { advanceSavedSha256, feedBytes, finishSavedSha256, type RunningSha256 } from '../sha256-threads.js';
import { byteLength, splitAt } from './chunks.js';
import { digestOf, ownerName } from './naming.js';
import { DigestMismatch, newUploadRecord, type Download, type Fence, type Held, type OpenUpload, type UploadInfo, type UploadRecord, type UploadStore } from './port.js';
import { isGone, type Bucket } from './s3-objects.js';

interface Part {
  number: number;
  etag: string;
  size: number;
}

interface PartialMeta extends UploadRecord {
  uploadId: string;
  parts: Part[];
  /** hash-wasm's saved SHA-256 state after the parts, base64; absent before the first part. */
  sha256State?: string;
  /** Written just before the object is assembled, so a crash after it is finished on the next look. */
  completing?: Pick<CompletedFile, 'size' | 'sha256' | 'completedAt' | 'verified'>;
}

interface Keys {
  meta: string;
  tail: string;
  data: string;
  done: string;
}

const MiB = 1024 * 1024;
/** S3's smallest part that is not the last one. */
export const MIN_PART_BYTES = 5 * MiB;

/**
 * How many of a tail's bytes follow the parts. A tail written before the last parts were recorded
 * starts behind them; one that claims to start past them was never written after them: not ours.
 */
function tailAfter(parts: number, base: number, length: number): number {
  if (!Number.isSafeInteger(base) || base > parts) return 0;
  return Math.max(0, base + length - parts);
}

const noFence: Fence = async () => undefined;
const partsBytes = (parts: readonly Part[]) => parts.reduce((sum, part) => sum + part.size, 0);

export class S3Store implements UploadStore {
  constructor(
    private readonly bucket: Bucket,
    private readonly partBytes: number = 8 * MiB,
  ) {
    if (partBytes < MIN_PART_BYTES) throw new Error(`S3 parts must be at least ${MIN_PART_BYTES} bytes`);
  }

  async init(): Promise<void> {
    await this.bucket.create();
  }

  private keys(owner: string, id: string): Keys {
    const dir = `${ownerName(owner)}/${digestOf(id)}`;
    return { meta: `partial/${dir}/meta.json`, tail: `partial/${dir}/tail`, data: `complete/${dir}/data`, done: `complete/${dir}/meta.json` };
  }

  async held(owner: string, id: string): Promise<Held> {
    const keys = this.keys(owner, id);
    const done = await this.bucket.getJson<CompletedFile>(keys.done);
    if (done) return { offset: done.size, size: done.size, complete: true };
    const meta = await this.bucket.getJson<PartialMeta>(keys.meta);
    if (!meta) return { offset: 0, size: undefined, complete: false };
    if (meta.completing) {
      const file = await this.assemble(keys, meta, noFence);
      return { offset: file.size, size: file.size, complete: true };
    }
    // Status polls land here twice a second: the tail's length, not its bytes.
    const tail = await this.bucket.head(keys.tail);
    const tailBytes = tail ? tailAfter(partsBytes(meta.parts), Number(tail.metadata.base), tail.length) : 0;
    return { offset: partsBytes(meta.parts) + tailBytes, size: meta.size ?? undefined, complete: false };
  }

  async open(owner: string, id: string, info: UploadInfo, restart: boolean, fence: Fence = noFence): Promise<OpenUpload> {
    const keys = this.keys(owner, id);
    let meta = await this.bucket.getJson<PartialMeta>(keys.meta);
    if (meta?.completing) throw new Error('this upload is being completed');
    if (!meta || restart) {
      await fence();
      // A fresh upload has no tail to read.
      return new S3OpenUpload(this, keys, await this.startMultipart(keys, newUploadRecord(id, info), meta), Buffer.alloc(0), fence);
    }
    if (meta.size === null && info.size !== undefined) {
      // A client that sent no size before may declare it later.
      await fence();
      meta = { ...meta, size: info.size };
      await this.bucket.putJson(keys.meta, meta);
    }
    const tail = await this.readTail(keys, meta);
    return new S3OpenUpload(this, keys, meta, tail, fence);
  }

  /** The tail's bytes that follow the parts (a tail written before the last parts were recorded starts behind them). */
  private async readTail(keys: Keys, meta: PartialMeta): Promise<Buffer> {
    const tail = await this.bucket.get(keys.tail);
    if (!tail) return Buffer.alloc(0);
    const length = tailAfter(partsBytes(meta.parts), Number(tail.metadata.base), tail.bytes.length);
    return tail.bytes.subarray(tail.bytes.length - length);
  }

  sendPart(keys: Keys, meta: PartialMeta, number: number, body: Buffer): Promise<string> {
    return this.bucket.client
      .send(new UploadPartCommand({ Bucket: this.bucket.name, Key: keys.data, UploadId: meta.uploadId, PartNumber: number, Body: body, ContentLength: body.length }))
      .then(({ ETag }) => ETag!);
  }

  saveMeta(keys: Keys, meta: PartialMeta): Promise<unknown> {
    return this.bucket.putJson(keys.meta, meta);
  }

  saveTail(keys: Keys, base: number, bytes: Buffer): Promise<unknown> {
    return this.bucket.putBytes(keys.tail, bytes, { base: String(base) });
  }

  /**
   * Turn a partial upload whose meta says `completing` into the finished object: the tail goes
   * up as the last part, the multipart upload is completed, the file is listed and the helpers
   * removed. Safe to run again after a crash at any step.
   */
  async assemble(keys: Keys, meta: PartialMeta, fence: Fence): Promise<CompletedFile> {
    const tail = await this.readTail(keys, meta);
    if (partsBytes(meta.parts) + tail.length !== meta.completing!.size) {
      // The tail is gone: another assembler finished and removed it. Never build the object from less.
      const done = await this.bucket.getJson<CompletedFile>(keys.done);
      if (done) return done;
      throw new Error(`the upload's tail no longer adds up to ${meta.completing!.size} bytes`);
    }
    const bucket = this.bucket.name;
    await fence();
    if (meta.parts.length === 0) {
      // A file smaller than one part is a plain object; multipart needs at least one part.
      await this.bucket.putBytes(keys.data, tail);
      await this.abort(keys, meta);
    } else {
      const parts = [...meta.parts];
      try {
        if (tail.length > 0) parts.push({ number: parts.length + 1, etag: await this.sendPart(keys, meta, parts.length + 1, tail), size: tail.length });
        await this.bucket.client.send(new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: keys.data,
          UploadId: meta.uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }));
      } catch (error) {
        // Another assembler (a status poll on another instance, or an earlier attempt that crashed) got there first.
        if (!isGone(error) || !(await this.exists(keys.data))) throw error;
      }
    }
    const file: CompletedFile = { id: meta.id, name: meta.name, type: meta.type, ...meta.completing! };
    await this.bucket.putJson(keys.done, file);
    await this.bucket.delete([keys.meta, keys.tail]);
    return file;
  }

  private async exists(key: string): Promise<boolean> {
    const stream = await this.bucket.stream(key);
    stream?.destroy();
    return stream !== undefined;
  }

  /** A fresh, empty multipart upload for `record`, in place of `previous` (aborted) if there is one. */
  async startMultipart(keys: Keys, record: UploadRecord, previous?: PartialMeta): Promise<PartialMeta> {
    if (previous) await this.abort(keys, previous);
    const { UploadId } = await this.bucket.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket.name, Key: keys.data }));
    const { id, name, type, size, createdAt } = record;
    const meta: PartialMeta = { id, name, type, size, createdAt, uploadId: UploadId!, parts: [] };
    await this.bucket.putJson(keys.meta, meta);
    await this.bucket.delete([keys.tail]);
    return meta;
  }

  private async abort(keys: Keys, meta: PartialMeta): Promise<void> {
    try {
      await this.bucket.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket.name, Key: keys.data, UploadId: meta.uploadId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  get partSize(): number {
    return this.partBytes;
  }

  async remove(owner: string, id: string): Promise<void> {
    const keys = this.keys(owner, id);
    const meta = await this.bucket.getJson<PartialMeta>(keys.meta);
    if (meta) await this.abort(keys, meta);
    await this.bucket.delete([keys.meta, keys.tail, keys.done, keys.data]);
  }

  async list(owner: string): Promise<CompletedFile[]> {
    const keys: string[] = [];
    for await (const object of this.bucket.list(`complete/${ownerName(owner)}/`)) {
      if (object.Key?.endsWith('/meta.json')) keys.push(object.Key);
    }
    const files = await Promise.all(keys.map((key) => this.bucket.getJson<CompletedFile>(key)));
    return files.filter((file) => file !== undefined).sort((a, b) => b.completedAt.localeCompare(a.completedAt));
  }

  async download(owner: string, id: string): Promise<Download | undefined> {
    const keys = this.keys(owner, id);
    const file = await this.bucket.getJson<CompletedFile>(keys.done);
    if (!file) return undefined;
    // Asked before answering, so a missing object is a 404 and not a broken stream.
    const stream = await this.bucket.stream(keys.data);
    return stream && { file, stream };
  }

  async sweep(cutoff: number, isBusy: (owner: string, id: string) => boolean): Promise<number> {
    const touched = new Map<string, number>();
    for await (const object of this.bucket.list('partial/')) {
      const dir = object.Key!.slice(0, object.Key!.lastIndexOf('/'));
      touched.set(dir, Math.max(touched.get(dir) ?? 0, object.LastModified?.getTime() ?? 0));
    }
    let removed = 0;
    for (const [dir, at] of touched) {
      if (at >= cutoff) continue;
      const owner = dir.split('/')[1]!;
      const meta = await this.bucket.getJson<PartialMeta>(`${dir}/meta.json`);
      if (meta && isBusy(owner, meta.id)) continue;
      if (meta) await this.abort(this.keys(owner, meta.id), meta);
      await this.bucket.delete([`${dir}/meta.json`, `${dir}/tail`]);
      removed += 1;
    }
    return removed;
  }
}

/** What is durable in the bucket: the parts recorded in meta.json and the tail object. */
interface Snapshot {
  meta: PartialMeta;
  tail: Buffer[];
}

class S3OpenUpload implements OpenUpload {
  private meta: PartialMeta;
  private staged: Buffer[];
  private stagedBytes: number;
  /** What the bucket held when this upload was opened, and after the last sync. */
  private readonly opened: Snapshot;
  private durable: Snapshot;
  private syncing: Promise<void> = Promise.resolve();
  private broken: Error | undefined;

  constructor(
    private readonly store: S3Store,
    private readonly keys: Keys,
    meta: PartialMeta,
    tail: Buffer,
    private readonly fence: Fence,
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

  async write(chunks: Buffer[], alsoHash?: RunningSha256): Promise<void> {
    if (this.broken) throw this.broken;
    this.staged = [...this.staged, ...chunks];
    this.stagedBytes += byteLength(chunks);
    const hashing = alsoHash ? feedBytes([alsoHash], chunks) : Promise.resolve();
    try {
      while (this.stagedBytes >= this.store.partSize) await this.sendPart();
    } finally {
      await hashing;
    }
  }

  /** Send the first full part of the staged bytes; the file's SHA-256 state moves past it. */
  private async sendPart(): Promise<void> {
    const [part, rest] = splitAt(this.staged, this.store.partSize);
    const body = Buffer.concat(part);
    const number = this.meta.parts.length + 1;
    await this.fence();
    const state = this.meta.sha256State ? Buffer.from(this.meta.sha256State, 'base64') : undefined;
    const [etag, after] = await Promise.all([this.store.sendPart(this.keys, this.meta, number, body), advanceSavedSha256(state, part)]);
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
        await this.store.saveMeta(this.keys, meta);
      }
      if (staged !== this.durable.tail) {
        await this.fence();
        await this.store.saveTail(this.keys, partsBytes(meta.parts), Buffer.concat(staged));
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

  async truncate(offset: number): Promise<void> {
    if (offset >= this.offset) return;
    const openedAt = partsBytes(this.opened.meta.parts) + byteLength(this.opened.tail);
    if (offset < openedAt) throw new Error(`cannot truncate to ${offset}, before ${openedAt} where this upload was opened`);
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
    const sha256 = (await finishSavedSha256(state, this.staged)).toString('hex');
    if (expected && expected.toString('hex') !== sha256) {
      await this.fence();
      this.meta = await this.store.startMultipart(this.keys, this.meta, this.meta);
      this.durable = { meta: this.meta, tail: [] };
      this.restore(this.durable);
      throw new DigestMismatch(sha256);
    }
    this.meta = { ...this.meta, completing: { size: this.offset, sha256, completedAt: new Date().toISOString(), verified: expected !== undefined } };
    await this.fence();
    await this.store.saveMeta(this.keys, this.meta);
    return this.store.assemble(this.keys, this.meta, this.fence);
  }

  async close(): Promise<void> {
    // Staged bytes never synced were never promised to anyone; nothing to release.
  }
}
