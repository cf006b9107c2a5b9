// The embedded store: one directory per upload.
//
//   <dataDir>/partial/<owner>/<sha256(id)>/{meta.json,data}
//   <dataDir>/complete/<owner>/<sha256(id)>/{meta.json,data}
//
// Paths are built only from hex digests, never from a header. Completion
// renames the whole directory, so a reader never sees half a file.
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { CompletedFile } from '../../common/protocol.js';
import { fsyncDir, isMissing, writeFileAtomic } from './durable-fs.js';
import { checkedOf, forgetHash, FsOpenUpload, toCompleted, type Meta, type FileHash } from './fs-open-upload.js';
import { untimed, type TimeStore } from '../metrics.js';
import { JsonRecords } from './fs-records.js';
import { digestOf, ownerName } from './naming.js';
import { newUploadRecord, NOTHING_HELD, type FinishEvent, type ByteRange, type Download, type Held, type OpenUpload, type SweepGuard, type PushSubscriptionRecord, type TokenRecord, type UploadInfo, type UploadStore, type Usage } from './port.js';

export class FsStore implements UploadStore {
  private readonly partialRoot: string;
  private readonly completeRoot: string;
  private readonly tokens: JsonRecords;
  private readonly push: JsonRecords;
  private readonly outboxRoot: string;
  // Hash state survives between appends in memory; after a restart it is rebuilt from disk once.
  private readonly hashes = new Map<string, FileHash>();

  constructor(
    dataDir: string,
    /** Times the store's fsyncs for the metrics. */
    private readonly time: TimeStore = untimed,
  ) {
    this.partialRoot = path.join(dataDir, 'partial');
    this.completeRoot = path.join(dataDir, 'complete');
    this.tokens = new JsonRecords(path.join(dataDir, 'tokens'));
    this.push = new JsonRecords(path.join(dataDir, 'push'));
    this.outboxRoot = path.join(dataDir, 'outbox');
  }

  async init(): Promise<void> {
    await mkdir(this.partialRoot, { recursive: true });
    await mkdir(this.completeRoot, { recursive: true });
  }

  private partialDir(owner: string, id: string): string {
    return path.join(this.partialRoot, ownerName(owner), digestOf(id));
  }

  private completeDir(owner: string, id: string): string {
    return path.join(this.completeRoot, ownerName(owner), digestOf(id));
  }

  async held(owner: string, id: string): Promise<Held> {
    const done = await readMeta(this.completeDir(owner, id));
    if (done) return { offset: done.size ?? 0, size: done.size ?? 0, complete: true };
    const dir = this.partialDir(owner, id);
    const meta = await readMeta(dir);
    // `checked` even for nothing: it tells a client that this store checks bytes as they come.
    if (!meta) return { ...NOTHING_HELD, checked: 0 };
    if (meta.completedAt) {
      await this.finishMove(owner, id); // a crash fell between recording the digest and the move
      return { offset: meta.size ?? 0, size: meta.size ?? 0, complete: true };
    }
    const offset = await dataLength(dir);
    return { offset, size: meta.size ?? undefined, complete: false, checked: checkedOf(meta, offset) };
  }

  async usage(owner: string, exceptId: string): Promise<Usage> {
    const except = digestOf(exceptId);
    const usage: Usage = { bytes: 0, partialUploads: 0, files: 0 };
    const entries = async (root: string) => (await readdir(path.join(root, ownerName(owner))).catch(() => [])).filter((entry) => entry !== except);
    for (const entry of await entries(this.partialRoot)) {
      const dir = path.join(this.partialRoot, ownerName(owner), entry);
      const meta = await readMeta(dir);
      if (!meta) continue;
      usage.partialUploads += 1;
      usage.bytes += Math.max(meta.size ?? 0, await dataLength(dir));
    }
    for (const entry of await entries(this.completeRoot)) {
      usage.files += 1;
      usage.bytes += (await readMeta(path.join(this.completeRoot, ownerName(owner), entry)))?.size ?? 0;
    }
    return usage;
  }

  async readTokens(owner: string): Promise<TokenRecord[]> {
    return (await this.tokens.read<TokenRecord[]>(ownerName(owner))) ?? [];
  }

  async writeTokens(owner: string, tokens: TokenRecord[]): Promise<void> {
    await this.tokens.write(ownerName(owner), tokens.length === 0 ? undefined : tokens);
  }

  readPushSubscription(owner: string): Promise<PushSubscriptionRecord | undefined> {
    return this.push.read<PushSubscriptionRecord>(ownerName(owner));
  }

  writePushSubscription(owner: string, subscription: PushSubscriptionRecord | undefined): Promise<void> {
    return this.push.write(ownerName(owner), subscription);
  }

  async outboxPut(key: string, event: FinishEvent): Promise<void> {
    await mkdir(this.outboxRoot, { recursive: true });
    await writeFileAtomic(path.join(this.outboxRoot, `${digestOf(key)}.json`), JSON.stringify({ key, event }));
  }

  async outboxList(): Promise<Array<{ key: string; event: FinishEvent }>> {
    const entries: Array<{ key: string; event: FinishEvent }> = [];
    for (const name of await readdir(this.outboxRoot).catch(() => [])) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      const text = await readFile(path.join(this.outboxRoot, name), 'utf8').catch(() => undefined);
      if (text) entries.push(JSON.parse(text) as { key: string; event: FinishEvent });
    }
    return entries;
  }

  async outboxGet(key: string): Promise<FinishEvent | undefined> {
    const text = await readFile(path.join(this.outboxRoot, `${digestOf(key)}.json`), 'utf8').catch(() => undefined);
    return text ? (JSON.parse(text) as { event: FinishEvent }).event : undefined;
  }

  async outboxDelete(key: string): Promise<void> {
    await rm(path.join(this.outboxRoot, `${digestOf(key)}.json`), { force: true });
    await fsyncDir(this.outboxRoot).catch(() => undefined);
  }

  localPath(owner: string, id: string): string {
    return path.join(this.completeDir(owner, id), 'data');
  }

  async *tokenOwners(): AsyncIterable<string> {
    for (const name of await readdir(this.tokens.root).catch(() => [])) {
      if (/^[0-9a-f]{64}\.json$/.test(name)) yield name.slice(0, -'.json'.length);
    }
  }

  async ready(): Promise<void> {
    await statfs(this.partialRoot);
  }

  async freeBytes(): Promise<number> {
    const stats = await statfs(this.partialRoot);
    return stats.bavail * stats.bsize;
  }

  /** Zero inodes in all means a filesystem that makes them as it goes (btrfs): no floor to keep. */
  async freeFiles(): Promise<number | undefined> {
    const stats = await statfs(this.partialRoot);
    return stats.files === 0 ? undefined : stats.ffree;
  }

  async open(owner: string, id: string, info: UploadInfo, restart: boolean): Promise<OpenUpload> {
    const dir = this.partialDir(owner, id);
    const key = `${owner}/${id}`;
    let meta = await readMeta(dir);
    if (!meta || restart) {
      meta = newUploadRecord(id, info);
      await againIfPruned(() => mkdir(dir, { recursive: true }));
      await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta));
      await fsyncDir(path.dirname(dir));
    } else if (meta.size === null && info.size !== undefined) {
      // A client that sent no size before may declare it later.
      meta = { ...meta, size: info.size };
      await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta));
    }
    const dataPath = path.join(dir, 'data');
    // Create without truncating; not O_APPEND, which would make Linux ignore write positions.
    const handle = await open(dataPath, constants.O_RDWR | constants.O_CREAT);
    if (restart) {
      await handle.truncate(0);
      forgetHash(this.hashes, key);
    }
    const { size: offset } = await handle.stat();
    const upload = new FsOpenUpload(handle, dataPath, meta, offset, this.hashes, key, () => this.finishMove(owner, id), owner, this.time);
    await upload.primeHash();
    return upload;
  }

  private async moveToComplete(owner: string, id: string, dir: string): Promise<void> {
    const target = this.completeDir(owner, id);
    await againIfPruned(async () => {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(dir, target);
    });
    await fsyncDir(path.dirname(dir));
    await fsyncDir(path.dirname(target));
    await pruneEmpty(path.dirname(dir));
  }

  private async finishMove(owner: string, id: string): Promise<void> {
    try {
      await this.moveToComplete(owner, id, this.partialDir(owner, id));
    } catch (error) {
      if (!isMissing(error)) throw error; // another request (a status poll) finished it first
    }
  }

  async remove(owner: string, id: string): Promise<void> {
    forgetHash(this.hashes, `${owner}/${id}`);
    for (const dir of [this.partialDir(owner, id), this.completeDir(owner, id)]) {
      await removeDir(dir);
      await pruneEmpty(path.dirname(dir));
    }
  }

  async list(owner: string): Promise<CompletedFile[]> {
    const ownerDir = path.join(this.completeRoot, ownerName(owner));
    const entries = await readdir(ownerDir).catch((error) => (isMissing(error) ? [] : Promise.reject(error)));
    const files: CompletedFile[] = [];
    for (const entry of entries) {
      const meta = await readMeta(path.join(ownerDir, entry));
      if (meta?.completedAt) files.push(toCompleted(meta));
    }
    return files.sort((a, b) => b.completedAt.localeCompare(a.completedAt));
  }

  async download(owner: string, id: string, rangeOf?: (file: CompletedFile) => ByteRange | undefined): Promise<Download | undefined> {
    const dir = this.completeDir(owner, id);
    const meta = await readMeta(dir);
    if (!meta?.completedAt) return undefined;
    const file = toCompleted(meta);
    const range = rangeOf?.(file);
    // Open before answering, so a missing file is a 404 and not a broken stream.
    const handle = await open(path.join(dir, 'data'), 'r');
    return { file, ...(range ? { range } : {}), stream: createReadStream('', { fd: handle, autoClose: true, ...range }) };
  }

  async sweep(cutoff: number, guard: SweepGuard): Promise<number> {
    let removed = 0;
    for (const owner of await readdir(this.partialRoot)) {
      const ownerDir = path.join(this.partialRoot, owner);
      for (const entry of await readdir(ownerDir).catch(() => [])) {
        const dir = path.join(ownerDir, entry);
        if ((await lastTouched(dir)) >= cutoff) continue;
        const meta = await readMeta(dir);
        const removeIfStale = async () => {
          // Under the lock, look again: an append may have touched it since.
          if ((await lastTouched(dir)) >= cutoff) return false;
          if (meta) forgetHash(this.hashes, `${owner}/${meta.id}`);
          await removeDir(dir);
          return true;
        };
        if (await (meta ? guard(owner, meta.id, removeIfStale) : removeIfStale())) removed += 1;
      }
      await pruneEmpty(ownerDir);
    }
    return removed;
  }
}

async function readMeta(dir: string): Promise<Meta | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function dataLength(dir: string): Promise<number> {
  try {
    return (await stat(path.join(dir, 'data'))).size;
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
}

async function lastTouched(dir: string): Promise<number> {
  const times = await Promise.all(['data', 'meta.json'].map((name) => stat(path.join(dir, name)).then((s) => s.mtimeMs, () => 0)));
  return Math.max(...times);
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await fsyncDir(path.dirname(dir)).catch(() => undefined);
}

/** Remove an owner's directory once its last upload is gone; one still in use is left alone. */
async function pruneEmpty(ownerDir: string): Promise<void> {
  await rmdir(ownerDir).catch(() => undefined);
}

/** An owner's directory pruned between its mkdir and its use: make it again, once. */
async function againIfPruned<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isMissing(error)) throw error;
    return work();
  }
}
