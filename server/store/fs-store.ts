// The embedded store: one directory per upload.
//
//   <dataDir>/partial/<owner>/<sha256(id)>/{meta.json,data}
//   <dataDir>/complete/<owner>/<sha256(id)>/{meta.json,data}
//
// Paths are built only from hex digests, never from a header. Completion
// renames the whole directory, so a reader never sees half a file.
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CompletedFile } from '../../common/protocol.js';
import { feedFromFile, runningSha256, type RunningSha256 } from '../sha256-threads.js';
import { DigestMismatch, newUploadRecord, type Download, type Held, type OpenUpload, type UploadInfo, type UploadRecord, type UploadStore } from './port.js';
import { splitAt } from './chunks.js';
import { fsyncDir, isMissing, writeFileAtomic } from './durable-fs.js';
import { digestOf, ownerName } from './naming.js';

interface Meta extends UploadRecord {
  sha256?: string;
  completedAt?: string;
  verified?: boolean;
}

interface RunningHash {
  hash: RunningSha256;
  /** Bytes of the file the hash has consumed. */
  at: number;
}

export class FsStore implements UploadStore {
  private readonly partialRoot: string;
  private readonly completeRoot: string;
  // Hash state survives between appends in memory; after a restart it is rebuilt from disk once.
  private readonly hashes = new Map<string, RunningHash>();

  constructor(dataDir: string) {
    this.partialRoot = path.join(dataDir, 'partial');
    this.completeRoot = path.join(dataDir, 'complete');
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
    if (!meta) return { offset: 0, size: undefined, complete: false };
    if (meta.completedAt) {
      await this.finishMove(owner, id); // a crash fell between recording the digest and the move
      return { offset: meta.size ?? 0, size: meta.size ?? 0, complete: true };
    }
    return { offset: await dataLength(dir), size: meta.size ?? undefined, complete: false };
  }

  async open(owner: string, id: string, info: UploadInfo, restart: boolean): Promise<OpenUpload> {
    const dir = this.partialDir(owner, id);
    const key = `${owner}/${id}`;
    let meta = await readMeta(dir);
    if (!meta || restart) {
      meta = newUploadRecord(id, info);
      await mkdir(dir, { recursive: true });
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
    const upload = new FsOpenUpload(handle, dataPath, meta, offset, this.hashes, key, () => this.finishMove(owner, id));
    await upload.primeHash();
    return upload;
  }

  private async moveToComplete(owner: string, id: string, dir: string): Promise<void> {
    await mkdir(path.dirname(this.completeDir(owner, id)), { recursive: true });
    await rename(dir, this.completeDir(owner, id));
    await fsyncDir(path.dirname(dir));
    await fsyncDir(path.dirname(this.completeDir(owner, id)));
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
    await removeDir(this.partialDir(owner, id));
    await removeDir(this.completeDir(owner, id));
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

  async download(owner: string, id: string): Promise<Download | undefined> {
    const dir = this.completeDir(owner, id);
    const meta = await readMeta(dir);
    if (!meta?.completedAt) return undefined;
    // Open before answering, so a missing file is a 404 and not a broken stream.
    const handle = await open(path.join(dir, 'data'), 'r');
    return { file: toCompleted(meta), stream: createReadStream('', { fd: handle, autoClose: true }) };
  }

  async sweep(cutoff: number, isBusy: (owner: string, id: string) => boolean): Promise<number> {
    let removed = 0;
    for (const owner of await readdir(this.partialRoot)) {
      const ownerDir = path.join(this.partialRoot, owner);
      for (const entry of await readdir(ownerDir).catch(() => [])) {
        const dir = path.join(ownerDir, entry);
        const meta = await readMeta(dir);
        if (meta && isBusy(owner, meta.id)) continue;
        if ((await lastTouched(dir)) >= cutoff) continue;
        if (meta) forgetHash(this.hashes, `${owner}/${meta.id}`);
        await removeDir(dir);
        removed += 1;
      }
    }
    return removed;
  }
}

class FsOpenUpload implements OpenUpload {
  private hashing: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: FileHandle,
    private readonly dataPath: string,
    private readonly meta: Meta,
    public offset: number,
    private readonly hashes: Map<string, RunningHash>,
    private readonly key: string,
    private readonly move: () => Promise<void>,
  ) {}

  get size(): number | undefined {
    return this.meta.size ?? undefined;
  }

  async write(chunks: Buffer[], alsoHash?: RunningSha256): Promise<void> {
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
    await this.handle.datasync();
  }

  async truncate(offset: number): Promise<void> {
    if (offset >= this.offset) return;
    await this.handle.truncate(offset);
    await this.handle.datasync();
    this.offset = offset;
    forgetHash(this.hashes, this.key);
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
    const done: Meta = { ...this.meta, size: this.offset, sha256, completedAt: new Date().toISOString(), verified: expected !== undefined };
    const dir = path.dirname(this.dataPath);
    await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(done));
    await this.move();
    return toCompleted(done);
  }

  /** The running hash, or one rebuilt from the bytes on disk when this process has none. */
  private async hash(): Promise<RunningSha256> {
    const running = this.hashes.get(this.key);
    if (running?.at === this.offset) return running.hash;
    const hash = runningSha256();
    await feedFromFile([hash], this.dataPath, 0, this.offset);
    return hash;
  }

  /** Start a running hash from the bytes already on disk, so later appends only hash what they add. */
  async primeHash(): Promise<void> {
    if (this.hashes.get(this.key)?.at === this.offset) return;
    forgetHash(this.hashes, this.key);
    this.hashes.set(this.key, { hash: await this.hash(), at: this.offset });
  }

  async close(): Promise<void> {
    await this.hashing;
    await this.handle.close();
  }
}

function forgetHash(hashes: Map<string, RunningHash>, key: string): void {
  hashes.get(key)?.hash.dispose();
  hashes.delete(key);
}

function toCompleted(meta: Meta): CompletedFile {
  return {
    id: meta.id,
    name: meta.name,
    type: meta.type,
    size: meta.size ?? 0,
    sha256: meta.sha256 ?? '',
    completedAt: meta.completedAt ?? '',
    verified: meta.verified === true,
  };
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
