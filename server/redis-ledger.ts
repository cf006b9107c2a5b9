// The quota ledger (quota-ledger.ts) across a cluster: one Redis hash per owner, so a body on one
// instance counts what the owner's uploads on another grew by and still hold pending.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HttpError } from './errors.js';
import type { LedgerState, QuotaLedger } from './quota-ledger.js';

/** Numbers untouched this long are forgotten (an instance killed mid-body leaves its pending bytes behind). */
const KEEP_MS = 3600 * 1000;

export class RedisLedger implements QuotaLedger {
  constructor(private readonly redis: Redis) {}

  private key(owner: string): string {
    return `ferry:quota:${createHash('sha256').update(owner).digest('hex')}`;
  }

  async watch(owner: string): Promise<LedgerState> {
    const [grown, pending] = await this.redis.hmget(this.key(owner), 'grown', 'pending').catch(unavailable);
    return { grown: Number(grown ?? 0), pending: Math.max(0, Number(pending ?? 0)) };
  }

  unwatch(): void {}

  async grow(owner: string, bytes: number, pending = false): Promise<number> {
    const key = this.key(owner);
    const batch = this.redis.multi().hincrby(key, 'grown', bytes);
    if (pending) batch.hincrby(key, 'pending', bytes);
    const results = await batch.pexpire(key, KEEP_MS).exec().catch(unavailable);
    return Number(results?.[0]?.[1] ?? 0);
  }

  async settle(owner: string, bytes: number): Promise<void> {
    if (bytes === 0) return;
    await this.redis.multi().hincrby(this.key(owner), 'pending', -bytes).pexpire(this.key(owner), KEEP_MS).exec().catch(unavailable);
  }
}

function unavailable(error: Error): never {
  throw new HttpError(503, `the quota ledger cannot be reached (${error.message}); retry shortly`, undefined, { 'retry-after': '2' });
}
