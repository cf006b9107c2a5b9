// One upload in the S3 store: its multipart upload, the parts sent, meta.json, the tail object,
// assembly into the finished object, and starting over.
//
//   partial/<owner>/<sha256(id)>/meta.json   name, type, size, the multipart upload, its parts,
//                                            and the SHA-256 state after those parts
//   partial/<owner>/<sha256(id)>/tail        the bytes after the last part (x-amz-meta-base: where they start)
//   complete/<owner>/<sha256(id)>/data       the finished object: the multipart upload's key
//   complete/<owner>/<sha256(id)>/meta.json  the file as GET /files lists it
import type { CompletedFile } from '../../common/protocol.js';
import { digestOf, ownerName } from './naming.js';
import { NOTHING_HELD, type Fence, type Held, type UploadRecord } from './port.js';
import { isGone, MAX_PARTS, type Bucket, type SentPart } from './s3-bucket.js';

export interface Part extends SentPart {
  size: number;
}

export interface PartialMeta extends UploadRecord {
  uploadId: string;
  parts: Part[];
  /** Bytes in each part but the last, chosen when the upload started (absent in older metas: the store's default). */
  partBytes?: number;
  /** hash-wasm's saved SHA-256 state after the parts, base64; absent before the first part. */
  sha256State?: string;
  /** Bytes from the start each checked against a client's digest (issue 32); absent: none. */
  checked?: number;
  /**
   * hash-wasm's saved SHA-256 state of the bytes from `checked` to the end of the parts, base64, while
   * the mark is inside them (parts cannot be read back to prove cut bytes); absent when the mark is at
   * or past them. With `checked` 0 the whole file's `sha256State` is that state.
   */
  checkedState?: string;
  /** Written just before the object is assembled, so a crash after it is finished on the next look. */
  completing?: Pick<CompletedFile, 'size' | 'sha256' | 'completedAt' | 'verified'>;
}

export interface Keys {
  meta: string;
  tail: string;
  data: string;
  done: string;
}

const MiB = 1024 * 1024;
/** S3's smallest part that is not the last one. */
export const MIN_PART_BYTES = 5 * MiB;

export const partsBytes = (parts: readonly Part[]) => parts.reduce((sum, part) => sum + part.size, 0);

export function keysOf(owner: string, id: string): Keys {
  const dir = `${ownerName(owner)}/${digestOf(id)}`;
  return { meta: `partial/${dir}/meta.json`, tail: `partial/${dir}/tail`, data: `complete/${dir}/data`, done: `complete/${dir}/meta.json` };
}

/**
 * Part size for an upload of `size` bytes (unknown: the largest accepted), as tus's S3 store sizes
 * them: the configured size, or larger when that many parts would pass S3's 10,000, in whole MiB.
 */
export function partSizeFor(size: number | null, configured: number, maxUpload: number): number {
  const needed = Math.ceil((size ?? maxUpload) / MAX_PARTS);
  return Math.max(configured, Math.ceil(needed / MiB) * MiB);
}

/**
 * How many of a tail's bytes follow the parts. A tail written before the last parts were recorded
 * starts behind them; one that claims to start past them was never written after them: not ours.
 */
function tailAfter(parts: number, base: number, length: number): number {
  if (!Number.isSafeInteger(base) || base > parts) return 0;
  return Math.max(0, base + length - parts);
}

const noFence: Fence = async () => undefined;

export class S3Upload {
  constructor(
    readonly bucket: Bucket,
    readonly keys: Keys,
  ) {}

  meta(): Promise<PartialMeta | undefined> {
    return this.bucket.getJson<PartialMeta>(this.keys.meta);
  }

  async held(): Promise<Held> {
    const done = await this.bucket.getJson<CompletedFile>(this.keys.done);
    if (done) return { offset: done.size, size: done.size, complete: true };
    const meta = await this.meta();
    // `checked` even for nothing: it tells a client that this store checks bytes as they come.
    if (!meta) return { ...NOTHING_HELD, checked: 0 };
    if (meta.completing) {
      const file = await this.assemble(meta, noFence);
      return { offset: file.size, size: file.size, complete: true };
    }
    // Status polls land here twice a second: the tail's length, not its bytes.
    const tail = await this.bucket.head(this.keys.tail);
    const tailBytes = tail ? tailAfter(partsBytes(meta.parts), Number(tail.metadata.base), tail.length) : 0;
    const offset = partsBytes(meta.parts) + tailBytes;
    return { offset, size: meta.size ?? undefined, complete: false, checked: Math.min(meta.checked ?? 0, offset) };
  }

  /** The tail's bytes that follow the parts (a tail written before the last parts were recorded starts behind them). */
  async readTail(meta: PartialMeta): Promise<Buffer> {
    const tail = await this.bucket.get(this.keys.tail);
    if (!tail) return Buffer.alloc(0);
    const length = tailAfter(partsBytes(meta.parts), Number(tail.metadata.base), tail.bytes.length);
    return tail.bytes.subarray(tail.bytes.length - length);
  }

  sendPart(meta: PartialMeta, number: number, body: Buffer): Promise<string> {
    return this.bucket.uploadPart(this.keys.data, meta.uploadId, number, body);
  }

  saveMeta(meta: PartialMeta): Promise<unknown> {
    return this.bucket.putJson(this.keys.meta, meta);
  }

  saveTail(base: number, bytes: Buffer): Promise<unknown> {
    return this.bucket.putBytes(this.keys.tail, bytes, { base: String(base) });
  }

  /** A fresh, empty multipart upload for `record`, in place of `previous` (aborted) if there is one. */
  async startOver(record: UploadRecord & { partBytes: number }, previous?: PartialMeta): Promise<PartialMeta> {
    if (previous) await this.bucket.abortMultipart(this.keys.data, previous.uploadId);
    const { id, name, type, size, createdAt, partBytes, metadata } = record;
    const meta: PartialMeta = { id, name, type, size, createdAt, partBytes, ...(metadata ? { metadata } : {}), uploadId: await this.bucket.createMultipart(this.keys.data), parts: [] };
    await this.saveMeta(meta);
    await this.bucket.delete([this.keys.tail]);
    return meta;
  }

  /**
   * Turn a partial upload whose meta says `completing` into the finished object: the tail goes
   * up as the last part, the multipart upload is completed, the file is listed and the helpers
   * removed. Safe to run again after a crash at any step.
   */
  async assemble(meta: PartialMeta, fence: Fence): Promise<CompletedFile> {
    const { keys, bucket } = this;
    const tail = await this.readTail(meta);
    if (partsBytes(meta.parts) + tail.length !== meta.completing!.size) {
      // The tail is gone: another assembler finished and removed it. Never build the object from less.
      const done = await bucket.getJson<CompletedFile>(keys.done);
      if (done) return done;
      throw new Error(`the upload's tail no longer adds up to ${meta.completing!.size} bytes`);
    }
    await fence();
    if (meta.parts.length === 0) {
      // A file smaller than one part is a plain object; multipart needs at least one part.
      await bucket.putBytes(keys.data, tail);
      await bucket.abortMultipart(keys.data, meta.uploadId);
    } else {
      const parts = [...meta.parts];
      try {
        if (tail.length > 0) parts.push({ number: parts.length + 1, etag: await this.sendPart(meta, parts.length + 1, tail), size: tail.length });
        await bucket.completeMultipart(keys.data, meta.uploadId, parts);
      } catch (error) {
        // Another assembler (a status poll on another instance, or an earlier attempt that crashed) got there first.
        if (!isGone(error) || !(await bucket.exists(keys.data))) throw error;
      }
    }
    const file: CompletedFile = { id: meta.id, name: meta.name, type: meta.type, ...meta.completing!, ...(meta.metadata ? { metadata: meta.metadata } : {}) };
    await bucket.putJson(keys.done, file);
    await bucket.delete([keys.meta, keys.tail]);
    return file;
  }

  /** The partial upload and its bytes are gone (cancel, expiry); a completed one too when `everything`. */
  async remove(everything: boolean): Promise<void> {
    const meta = await this.meta();
    if (meta) await this.bucket.abortMultipart(this.keys.data, meta.uploadId);
    await this.bucket.delete(everything ? [this.keys.meta, this.keys.tail, this.keys.done, this.keys.data] : [this.keys.meta, this.keys.tail]);
  }
}
