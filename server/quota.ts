// Quotas, checked before a byte of a new or growing upload is stored: an owner's bytes (partial
// and complete), an owner's partial uploads at once, and the free space the server keeps.
import { formatBytes } from '../common/format.js';
import { Problem, type QuotaFacts, type QuotaReport } from '../common/protocol.js';
import type { AppContext } from './context.js';
import { HttpError, ProblemError } from './errors.js';
import type { AppendHeaders } from './headers.js';
import { bodyBudget, type BodyBudget } from './quota-ledger.js';
import type { Held, OpenUpload } from './store/port.js';

export interface Admitted {
  upload: OpenUpload;
  /** The most bytes the upload may hold under the owner's byte quota (Infinity: its size is counted). */
  room: number;
  /** For a body of no stated size: checks each write against what the owner's other uploads grew by. */
  budget?: BodyBudget;
}

/**
 * Check this append against the owner's quotas and open its upload. The check and the opening run one
 * owner at a time (on every instance, through Writers.exclusive), and a declared size is counted in the
 * ledger as it is admitted, so appends racing each other each count the ones admitted before them (issue
 * 28, M2: 20 concurrent creations of 1 MiB all passed a 1 MiB quota). Appends to an upload whose size is
 * already counted skip all this: nothing they add changes the owner's usage.
 */
export async function admitAppend(ctx: AppContext, owner: string, request: AppendHeaders, held: Held, size: number | undefined, restart: boolean, open: () => Promise<OpenUpload>): Promise<Admitted> {
  const starting = held.offset === 0 || restart;
  if (!starting && held.size !== undefined && size === held.size) return { upload: await open(), room: Infinity };
  return ctx.writers.exclusive(`quota\n${owner}`, async () => {
    // Read before the store is: what lands in the store between the two is counted twice, never missed.
    // A ledger out of reach (Redis) costs its refinement, not the upload: the store's usage still holds.
    const ledgerDown = (error: unknown) => ctx.log.warn({ err: (error as Error).message, owner }, 'the quota ledger did not answer; checking against the store alone');
    const base = await ctx.ledger.watch(owner).catch((error: unknown) => void ledgerDown(error));
    let budget: BodyBudget | undefined;
    try {
      const room = await checkQuota(ctx, owner, request, held, size, starting, base?.pending ?? 0);
      const upload = await open();
      if (size !== undefined) await ctx.ledger.grow(owner, Math.max(0, size - (restart ? 0 : held.size ?? held.offset))).catch(ledgerDown);
      else if (base) budget = bodyBudget(ctx.ledger, owner, base.grown, room, ledgerDown);
      return { upload, room, ...(budget ? { budget } : {}) };
    } finally {
      if (!budget) ctx.ledger.unwatch(owner); // a budget unwatches when its body ends
    }
  });
}

/** Throws 413 (quota-exceeded) or 507 when this append would pass a limit; returns the most bytes the upload may hold. */
async function checkQuota(ctx: AppContext, owner: string, request: AppendHeaders, held: Held, size: number | undefined, starting: boolean, pending: number): Promise<number> {
  const { maxOwnerBytes, maxOwnerUploads, maxOwnerFiles } = ctx.config;
  const stored = await ctx.store.usage(owner, request.id);
  const usage = { ...stored, bytes: stored.bytes + pending };
  if (starting && usage.partialUploads >= maxOwnerUploads) {
    throw quotaExceeded({ quota: 'uploads', limit: maxOwnerUploads, used: usage.partialUploads }, held,
      `You already have ${usage.partialUploads} unfinished uploads on this server, the most it keeps at once. Let them finish, or cancel some, then try again.`);
  }
  // Empty files cost no bytes but files on disk, and never expire (issue 28, L6).
  if (starting && usage.files >= maxOwnerFiles) {
    throw quotaExceeded({ quota: 'files', limit: maxOwnerFiles, used: usage.files }, held,
      `You keep ${usage.files} files on this server, the most it keeps for one person. Delete finished files you no longer need, then try again.`);
  }
  const room = maxOwnerBytes - usage.bytes;
  const wanted = Math.max(size ?? 0, request.start + (request.contentLength ?? 0));
  if (wanted > room) {
    throw quotaExceeded({ quota: 'bytes', limit: maxOwnerBytes, used: usage.bytes, size: wanted }, held, usage.bytes === 0
      ? `This file (${formatBytes(wanted)}) is larger than the ${formatBytes(maxOwnerBytes)} this server keeps for you.`
      : `This file (${formatBytes(wanted)}) would take your files on this server past ${formatBytes(maxOwnerBytes)}: ${formatBytes(usage.bytes)} are in use already. Delete finished files to make room.`);
  }
  if (starting) await checkFloor(ctx, 'new uploads', held.offset);
  return room;
}

/**
 * A floor of space and of files kept free for uploads under way (one that does not fit meets the
 * disk's own 507): anything that makes new files (an upload, a token record) is refused below it.
 */
export async function checkFloor(ctx: AppContext, what: string, offset?: number): Promise<void> {
  const [bytes, files] = await Promise.all([ctx.store.freeBytes(), ctx.store.freeFiles()]);
  if ((bytes !== undefined && bytes < ctx.config.minFreeBytes) || (files !== undefined && files < ctx.config.minFreeFiles)) {
    throw new HttpError(507, `the server is short of storage space and takes no ${what} for now; retry later`, offset, { 'retry-after': '300' });
  }
}

/** A body with no length given that ran past the owner's byte quota (issue 28, L3): its bytes were dropped. */
export function bodyPastQuota(ctx: AppContext, offset: number): ProblemError {
  return quotaExceeded({ quota: 'bytes', limit: ctx.config.maxOwnerBytes }, { offset }, `This file grew past the ${formatBytes(ctx.config.maxOwnerBytes)} this server keeps for you, counting your other files. Delete finished files to make room.`);
}

/**
 * The problem carries its facts (which quota, its limit, what is used, the file's size) beside the
 * English detail, so a page can say it in its reader's language.
 */
function quotaExceeded(facts: QuotaFacts, held: Pick<Held, 'offset'>, detail: string): ProblemError {
  return new ProblemError(413, Problem.quotaExceeded, 'Quota exceeded', detail, held.offset, { ...facts });
}

/** What is left of each of the owner's quotas (GET /quota): shown before a pick. */
export async function quotaLeft(ctx: AppContext, owner: string): Promise<QuotaReport> {
  const { maxOwnerBytes, maxOwnerUploads, maxOwnerFiles } = ctx.config;
  const usage = await ctx.store.usage(owner, '');
  return {
    bytes: { limit: maxOwnerBytes, used: usage.bytes },
    uploads: { limit: maxOwnerUploads, used: usage.partialUploads },
    files: { limit: maxOwnerFiles, used: usage.files },
  };
}
