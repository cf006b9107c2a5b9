// The S3 store (docs/cluster.md): each upload is a multipart upload in an S3-compatible object
// store, so any server instance can continue any upload. This file finds uploads and lists them;
// one upload's parts, meta, tail and assembly are in s3-upload.ts, its appends in s3-open-upload.ts.
import type { CompletedFile } from '../../common/protocol.js';
import { untimed, type TimeStore } from '../metrics.js';
import { ownerName } from './naming.js';
import { digestOf } from './naming.js';
import { newUploadRecord, type ByteRange, type FinishEvent, type Download, type Fence, type Held, type OpenUpload, type SweepGuard, type PushSubscriptionRecord, type TokenRecord, type UploadInfo, type UploadStore, type Usage } from './port.js';
import type { Bucket } from './s3-bucket.js';
import { S3OpenUpload } from './s3-open-upload.js';
import { keysOf, MIN_PART_BYTES, partSizeFor, S3Upload } from './s3-upload.js';

export { MIN_PART_BYTES };

const noFence: Fence = async () => undefined;

export class S3Store implements UploadStore {
  constructor(
    private readonly bucket: Bucket,
    /** Bytes in each part but the last, unless an upload's size needs larger ones (partSizeFor). */
    private readonly partBytes: number,
    /** The largest upload accepted: an upload of unknown size is sized for it. */
    private readonly maxUploadBytes: number,
    /** Times part uploads for the metrics. */
    private readonly time: TimeStore = untimed,
  ) {
    if (partBytes < MIN_PART_BYTES) throw new Error(`S3 parts must be at least ${MIN_PART_BYTES} bytes`);
  }

  async init(): Promise<void> {
    await this.bucket.create();
  }

  private upload(owner: string, id: string): S3Upload {
    return new S3Upload(this.bucket, keysOf(owner, id));
  }

  held(owner: string, id: string): Promise<Held> {
    return this.upload(owner, id).held();
  }

  async usage(owner: string, exceptId: string): Promise<Usage> {
    const except = `/${digestOf(exceptId)}/`;
    const usage: Usage = { bytes: 0, partialUploads: 0, files: 0 };
    for (const state of ['partial', 'complete'] as const) {
      for await (const object of this.bucket.list(`${state}/${ownerName(owner)}/`)) {
        if (!object.Key?.endsWith('/meta.json') || object.Key.includes(except)) continue;
        if (state === 'complete') {
          usage.files += 1;
          usage.bytes += (await this.bucket.getJson<CompletedFile>(object.Key))?.size ?? 0;
          continue;
        }
        const meta = await this.bucket.getJson<{ id: string; size: number | null }>(object.Key);
        if (!meta) continue;
        usage.partialUploads += 1;
        usage.bytes += Math.max(meta.size ?? 0, (await this.upload(owner, meta.id).held()).offset);
      }
    }
    return usage;
  }

  async readTokens(owner: string): Promise<TokenRecord[]> {
    return (await this.bucket.getJson<TokenRecord[]>(`tokens/${ownerName(owner)}.json`)) ?? [];
  }

  async writeTokens(owner: string, tokens: TokenRecord[]): Promise<void> {
    if (tokens.length === 0) await this.bucket.delete([`tokens/${ownerName(owner)}.json`]);
    else await this.bucket.putJson(`tokens/${ownerName(owner)}.json`, tokens);
  }

  async readPushSubscription(owner: string): Promise<PushSubscriptionRecord | undefined> {
    return (await this.bucket.getJson<PushSubscriptionRecord>(`push/${ownerName(owner)}.json`)) ?? undefined;
  }

  async writePushSubscription(owner: string, subscription: PushSubscriptionRecord | undefined): Promise<void> {
    if (subscription === undefined) await this.bucket.delete([`push/${ownerName(owner)}.json`]);
    else await this.bucket.putJson(`push/${ownerName(owner)}.json`, subscription);
  }

  async outboxPut(key: string, event: FinishEvent): Promise<void> {
    await this.bucket.putJson(`outbox/${digestOf(key)}.json`, { key, event });
  }

  async outboxList(): Promise<Array<{ key: string; event: FinishEvent }>> {
    const entries: Array<{ key: string; event: FinishEvent }> = [];
    for await (const object of this.bucket.list('outbox/')) {
      const entry = object.Key ? await this.bucket.getJson<{ key: string; event: FinishEvent }>(object.Key) : undefined;
      if (entry) entries.push(entry);
    }
    return entries;
  }

  async outboxGet(key: string): Promise<FinishEvent | undefined> {
    return (await this.bucket.getJson<{ event: FinishEvent }>(`outbox/${digestOf(key)}.json`))?.event;
  }

  async outboxDelete(key: string): Promise<void> {
    await this.bucket.delete([`outbox/${digestOf(key)}.json`]);
  }

  async *tokenOwners(): AsyncIterable<string> {
    for await (const object of this.bucket.list('tokens/')) {
      const match = /^tokens\/([0-9a-f]{64})\.json$/.exec(object.Key ?? '');
      if (match) yield match[1]!;
    }
  }

  async freeFiles(): Promise<undefined> {
    return undefined;
  }

  async ready(): Promise<void> {
    await this.bucket.getJson('ready-probe'); // a missing object answers; a gateway that is down does not
  }

  /** An object store does not say how much room it has left. */
  async freeBytes(): Promise<undefined> {
    return undefined;
  }

  async open(owner: string, id: string, info: UploadInfo, restart: boolean, fence: Fence = noFence): Promise<OpenUpload> {
    const upload = this.upload(owner, id);
    let meta = await upload.meta();
    if (meta?.completing) throw new Error('this upload is being completed');
    if (!meta || restart) {
      await fence();
      const record = newUploadRecord(id, info);
      const partBytes = partSizeFor(record.size, this.partBytes, this.maxUploadBytes);
      // A fresh upload has no tail to read.
      return new S3OpenUpload(upload, await upload.startOver({ ...record, partBytes }, meta), Buffer.alloc(0), partBytes, fence, owner, this.time);
    }
    if (meta.size === null && info.size !== undefined) {
      // A client that sent no size before may declare it later.
      await fence();
      meta = { ...meta, size: info.size };
      await upload.saveMeta(meta);
    }
    return new S3OpenUpload(upload, meta, await upload.readTail(meta), meta.partBytes ?? this.partBytes, fence, owner, this.time);
  }

  remove(owner: string, id: string): Promise<void> {
    return this.upload(owner, id).remove(true);
  }

  async list(owner: string): Promise<CompletedFile[]> {
    const keys: string[] = [];
    for await (const object of this.bucket.list(`complete/${ownerName(owner)}/`)) {
      if (object.Key?.endsWith('/meta.json')) keys.push(object.Key);
    }
    const files = await Promise.all(keys.map((key) => this.bucket.getJson<CompletedFile>(key)));
    return files.filter((file) => file !== undefined).sort((a, b) => b.completedAt.localeCompare(a.completedAt));
  }

  async download(owner: string, id: string, rangeOf?: (file: CompletedFile) => ByteRange | undefined): Promise<Download | undefined> {
    const { keys } = this.upload(owner, id);
    const file = await this.bucket.getJson<CompletedFile>(keys.done);
    if (!file) return undefined;
    const range = rangeOf?.(file);
    // Asked before answering, so a missing object is a 404 and not a broken stream.
    const stream = await this.bucket.stream(keys.data, range);
    return stream && { file, ...(range ? { range } : {}), stream };
  }

  async sweep(cutoff: number, guard: SweepGuard): Promise<number> {
    const touched = new Map<string, number>();
    for await (const object of this.bucket.list('partial/')) {
      const dir = object.Key!.slice(0, object.Key!.lastIndexOf('/'));
      touched.set(dir, Math.max(touched.get(dir) ?? 0, object.LastModified?.getTime() ?? 0));
    }
    let removed = 0;
    for (const [dir, at] of touched) {
      if (at >= cutoff) continue;
      const owner = dir.split('/')[1]!;
      const meta = await this.bucket.getJson<{ id: string }>(`${dir}/meta.json`);
      if (!meta) {
        await this.bucket.delete([`${dir}/tail`]);
        removed += 1;
      } else if (await guard(owner, meta.id, () => this.upload(owner, meta.id).remove(false).then(() => true))) {
        removed += 1;
      }
    }
    return removed;
  }
}
