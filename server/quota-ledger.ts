// What an owner has been promised beyond what its store shows (issue 28, M2: three defer-length
// bodies streaming at once each got the whole room). Two numbers per owner:
// - `grown`: everything admitted since some moment: declared sizes as uploads are admitted, and each
//   write of a body of no stated size, added before it is written. A body of no stated size counts,
//   at every write, what the owner's other uploads grew by since it was admitted.
// - `pending`: bytes of such bodies written or about to be, which the store may not show yet (the S3
//   store stages them in memory); counted on top of the store's usage until the body ends. Bytes the
//   store already shows are then counted twice: a concurrent admission errs towards refusing.

export interface LedgerState {
  grown: number;
  pending: number;
}

export interface QuotaLedger {
  /** The owner's numbers now; while watched, growth is kept. Pair with `unwatch`. */
  watch(owner: string): Promise<LedgerState>;
  unwatch(owner: string): void;
  /** Add `bytes` to `grown` (and to `pending` with `pending`; negative takes back); give `grown` after it. */
  grow(owner: string, bytes: number, pending?: boolean): Promise<number>;
  /** Bytes no longer pending: their body ended, so the store shows them (or they were dropped). */
  settle(owner: string, bytes: number): Promise<void>;
}

/** One process's ledger: numbers live only while some append of the owner watches them. */
export class LocalLedger implements QuotaLedger {
  private readonly owners = new Map<string, LedgerState & { watchers: number }>();

  async watch(owner: string): Promise<LedgerState> {
    const entry = this.owners.get(owner) ?? { grown: 0, pending: 0, watchers: 0 };
    entry.watchers += 1;
    this.owners.set(owner, entry);
    return { grown: entry.grown, pending: entry.pending };
  }

  unwatch(owner: string): void {
    const entry = this.owners.get(owner);
    if (!entry) return;
    entry.watchers -= 1;
    if (entry.watchers <= 0) this.owners.delete(owner);
  }

  async grow(owner: string, bytes: number, pending = false): Promise<number> {
    const entry = this.owners.get(owner);
    if (!entry) return 0; // nobody measures from an earlier moment: nothing to keep
    entry.grown += bytes;
    if (pending) entry.pending += bytes;
    return entry.grown;
  }

  async settle(owner: string, bytes: number): Promise<void> {
    const entry = this.owners.get(owner);
    if (entry) entry.pending -= bytes;
  }
}

/** Checks each write of a body of no stated size against the owner's byte quota, others' growth included. */
export interface BodyBudget {
  /** Whether `bytes` more may be written at `offset`; when true they are counted as grown and pending. */
  allows(offset: number, bytes: number): Promise<boolean>;
  /** The body ended: its bytes are no longer pending, and the owner is no longer watched for it. */
  release(): Promise<void>;
}

/** Bytes a body takes from the ledger at once: one round trip to Redis per 8 MiB, not per write. */
const GRANT_BYTES = 8 * 1024 * 1024;

/**
 * A budget for one body: `room` is the most bytes its upload may hold, measured when `grown` read
 * `base`; whatever the owner grew by since, other than this body, comes off it. It takes growth in
 * grants (counted as the owner's before they are written: others are refused a little early, never
 * late), and gives back what it did not use when its body ends.
 */
export function bodyBudget(ledger: QuotaLedger, owner: string, base: number, room: number, ledgerDown: (error: unknown) => void = () => undefined): BodyBudget {
  let written = 0;
  let granted = 0;
  /** The ledger failed once: the rest of this body is checked against `room` alone (the store's usage when it was admitted). */
  let blind = false;
  const take = async (offset: number, bytes: number): Promise<boolean> => {
    const grown = await ledger.grow(owner, bytes, true);
    const others = Math.max(0, grown - base - granted - bytes);
    if (offset + (granted - written) + bytes + others > room) {
      await ledger.grow(owner, -bytes, true);
      return false;
    }
    granted += bytes;
    return true;
  };
  return {
    async allows(offset, bytes) {
      if (!blind && written + bytes > granted) {
        const wanted = written + bytes - granted;
        try {
          // A whole grant when there is room for it, else exactly what this write needs.
          if (!(await take(offset, Math.max(wanted, GRANT_BYTES))) && !(await take(offset, wanted))) return false;
        } catch (error) {
          blind = true;
          ledgerDown(error);
        }
      }
      if (blind && offset + bytes > room) return false;
      written += bytes;
      return true;
    },
    async release() {
      // What was granted and not written was never the owner's: it leaves `grown` and `pending` both.
      if (granted > written) await ledger.grow(owner, written - granted, true).catch(() => undefined);
      await ledger.settle(owner, Math.min(written, granted)).catch(() => undefined); // bytes written blind were never added
      ledger.unwatch(owner);
    },
  };
}
