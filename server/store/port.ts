// The storage port: what the routes need from a place that keeps upload bytes.
// The filesystem store implements it; any other backend must pass the same tests.
import type { Readable } from 'node:stream';
import type { CompletedFile } from '../../common/protocol.js';
import type { RunningHash } from '../hash-thread.js';

/** What the server holds for one (owner, id). */
export interface Held {
  offset: number;
  size: number | undefined;
  complete: boolean;
  /** No upload by this id at all: never created, cancelled or expired (a tus HEAD is then 404). */
  unknown?: true;
  /** Bytes from the start each checked against a client's digest, for a store that keeps it (the filesystem's). */
  checked?: number;
}

/** What a store answers for an id it has no upload for. */
export const NOTHING_HELD: Readonly<Held> = { offset: 0, size: undefined, complete: false, unknown: true };

export interface UploadInfo {
  size: number | undefined;
  name: string | undefined;
  type: string | undefined;
  /** The client's metadata, kept with the upload when it starts. */
  metadata?: Record<string, string>;
}

/** What every store records about an upload when it starts. */
export interface UploadRecord {
  id: string;
  name: string;
  type: string;
  size: number | null;
  createdAt: string;
  metadata?: Record<string, string>;
}

/** The record of an upload starting now: without a name it is called by its id, without a type it is bytes. */
export function newUploadRecord(id: string, info: UploadInfo): UploadRecord {
  const metadata = info.metadata && Object.keys(info.metadata).length > 0 ? { metadata: info.metadata } : {};
  return { id, name: info.name ?? id, type: info.type ?? 'application/octet-stream', size: info.size ?? null, createdAt: new Date().toISOString(), ...metadata };
}

/** A partial upload opened for appending. Only the holder of the upload's writer lease may have one. */
export interface OpenUpload {
  /** Bytes in storage right now. */
  readonly offset: number;
  readonly size: number | undefined;
  /**
   * Append at `offset`. On failure, `offset` still tells exactly what was stored.
   * `alsoHash` (a Content-Digest being checked) is fed exactly the bytes stored.
   */
  write(chunks: Buffer[], alsoHash?: RunningHash): Promise<void>;
  /** Make every written byte durable. */
  sync(): Promise<void>;
  /**
   * Bytes from the start each checked against a client's digest, where the store keeps it. Those past
   * it came from a body cut short; with it, a file can be verified without the client's whole-file digest.
   */
  readonly checked?: number;
  /** Record that every byte up to `offset` (held and durable) was checked. Only with `checked`. */
  markChecked?(offset: number): Promise<void>;
  /** SHA-256 of stored bytes `start` to `end`, to check a client's proof of them. Only with `checked`. */
  hashStored?(start: number, end: number): Promise<Buffer>;
  /**
   * Drop bytes past `offset` (only ever backwards, and never before the parts an object store had
   * committed when this upload was opened: it cannot take those back).
   */
  truncate(offset: number): Promise<void>;
  /** False when `truncate(offset)` cannot be done (an object store's committed parts); absent means always. */
  canTruncateTo?(offset: number): boolean;
  /** Drop every byte and the checked mark, for a store whose `truncate` cannot reach back far enough. */
  startOver?(): Promise<void>;
  /**
   * Record the digest and move the upload to completed storage atomically. Requires offset === size.
   * With `expected` (the client's whole-file SHA-256), a mismatch empties the upload instead and
   * rejects with DigestMismatch: a file that is not what the user picked is never completed. The file
   * is listed verified when `expected` matched, or when every byte was checked (`checked` = size).
   */
  complete(expected?: Buffer): Promise<CompletedFile>;
  close(): Promise<void>;
}

/** Runs `remove` holding the upload's writer lock; false, without running it, when the upload is being written. */
export type SweepGuard = (owner: string, id: string, remove: () => Promise<boolean>) => Promise<boolean>;

/** Resolves while the caller still holds the upload's writer lock; rejects once it does not. */
export type Fence = () => Promise<void>;

/** Bytes `start` to `end` of a file, both included (as in Content-Range). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface Download {
  file: CompletedFile;
  /** The range the stream holds; the whole file when absent. */
  range?: ByteRange;
  stream: Readable;
}

/** What one owner keeps in the store, for quotas. */
export interface Usage {
  /** Completed files, and each partial upload's declared size (or what it holds, when more or undeclared). */
  bytes: number;
  partialUploads: number;
  /** Completed files, each counted whatever its size (an empty one still takes files on disk). */
  files: number;
}

/** A bearer token an owner minted: only a hash of its secret is kept. */
export interface TokenRecord {
  id: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdAt: string;
}

/** A browser's Web Push subscription (PushSubscription.toJSON()), one per owner. */
export interface PushSubscriptionRecord {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
}

export interface UploadStore {
  held(owner: string, id: string): Promise<Held>;
  /** Resolves when the store answers (its directory, or its bucket); rejects when it does not. */
  ready(): Promise<void>;
  /** The owner's usage, leaving out the upload `exceptId` (the one asking). */
  usage(owner: string, exceptId: string): Promise<Usage>;
  /** Bytes still free where the store writes, when it can tell (a filesystem can; an object store cannot). */
  freeBytes(): Promise<number | undefined>;
  /** Files (inodes) still free where the store writes, when it can tell. */
  freeFiles(): Promise<number | undefined>;
  /** The owner's bearer tokens (every instance of a cluster sees the same). */
  readTokens(owner: string): Promise<TokenRecord[]>;
  /** Replace the owner's tokens; none at all removes their record. */
  writeTokens(owner: string, tokens: TokenRecord[]): Promise<void>;
  /** The owner's push subscription (every instance of a cluster sees the same). */
  readPushSubscription(owner: string): Promise<PushSubscriptionRecord | undefined>;
  /** Replace it; undefined removes it. */
  writePushSubscription(owner: string, subscription: PushSubscriptionRecord | undefined): Promise<void>;
  /** Every owner with a token record. */
  tokenOwners(): AsyncIterable<string>;
  /**
   * Finished-upload events not yet taken by the host's hook (finish-hooks.ts), kept durably so that a
   * restart does not lose them: put (replacing one under the same key), list, and delete once taken.
   */
  outboxPut(key: string, event: FinishEvent): Promise<void>;
  outboxList(): Promise<Array<{ key: string; event: FinishEvent }>>;
  outboxGet(key: string): Promise<FinishEvent | undefined>;
  outboxDelete(key: string): Promise<void>;
  /** Where a completed file's bytes are on this machine, for a store that keeps them in files. */
  localPath?(owner: string, id: string): string;
  /**
   * Open a partial upload for appending, creating it if it does not exist.
   * `restart` empties a partial upload first. Never called for a completed one.
   * A store shared by several server instances calls `fence` before every change it makes,
   * so a writer that lost its lock stops before another one starts.
   */
  open(owner: string, id: string, info: UploadInfo, restart: boolean, fence?: Fence): Promise<OpenUpload>;
  remove(owner: string, id: string): Promise<void>;
  list(owner: string): Promise<CompletedFile[]>;
  /** A completed file's bytes; `rangeOf` picks a part of them once the file is known (or throws to refuse). */
  download(owner: string, id: string, rangeOf?: (file: CompletedFile) => ByteRange | undefined): Promise<Download | undefined>;
  /**
   * Remove partial uploads untouched since before `cutoff` (epoch ms). Each removal runs inside
   * `guard`, which holds the upload's writer lock meanwhile, or skips it when someone writes it.
   */
  sweep(cutoff: number, guard: SweepGuard): Promise<number>;
}

/** A finished upload as the host's hook is told of it (before it is known to have finished: see finish-hooks.ts). */
export interface FinishEvent {
  /** The owner key the upload is stored under. */
  ownerKey: string;
  /** The owner id the host's `authenticate` gave (the key itself under the default identity). */
  owner: string;
  id: string;
  at: string;
}

export class DigestMismatch extends Error {
  constructor(readonly actual: string) {
    super(`the stored bytes hash to ${actual}, not to the digest the client sent`);
    this.name = 'DigestMismatch';
  }
}
