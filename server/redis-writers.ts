// One writer per upload across server instances (issue 6), through Redis:
// - a lock per upload (SET NX with a TTL) that its holder keeps renewing;
// - takeover: a newer request publishes on `ferry:takeover`; the instance holding
//   the lock stops that append, which flushes what it has and releases;
// - fencing: the store asks the lease before every change it makes to the bucket,
//   and a lease whose lock expired or vanished (Redis restarted) stops and changes nothing more.
// - status: a plain status takes the lock over and lets go, so the append it stopped has flushed
//   before the offset is read; a progress poll asks the lock's holder (`ferry:probe`) what its live
//   append has made durable and received, so progress shows wherever a poll lands.
// Within one instance the in-process registry still decides who goes first.
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { HttpError } from './errors.js';
import type { QuotaLedger } from './quota-ledger.js';
import { RedisLedger } from './redis-ledger.js';
import { PROMISE_MS, WriterRegistry, type Lease, type LiveOffsets, type Writers } from './writers.js';

const TAKEOVER = 'ferry:takeover';
const PROBE = 'ferry:probe';
/** A holder that has not answered a probe by then is dead or cut off; its lock will expire. */
const PROBE_MS = 1000;
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const END_BELOW = "local made = redis.call('get', KEYS[1]) if made and tonumber(made) < tonumber(ARGV[1]) then return redis.call('del', KEYS[1]) else return 0 end";
const POLL_MS = 20;
const ASK_AGAIN_MS = 1000;

export class LockLost extends Error {
  constructor(reason: string) {
    super(`the upload's writer lock was lost: ${reason}`);
    this.name = 'LockLost';
  }
}

type Message =
  | { channel: typeof TAKEOVER; lock: string; requester: string }
  | { channel: typeof PROBE; key: string; ghostIdleMs: number; replyTo: string; ask: string }
  | { channel: 'reply'; ask: string; live: LiveOffsets | null };

interface Holding {
  lease: Lease;
  token: string;
}

export class RedisWriters implements Writers {
  private readonly local: WriterRegistry;
  /** Leases of this instance that hold their upload's Redis lock, by lock key. */
  private readonly holding = new Map<string, Holding>();
  /** Probes this instance sent, waiting for the holder's answer. */
  private readonly probes = new Map<string, (live: LiveOffsets | null) => void>();
  private readonly replyTo = `ferry:reply:${randomUUID()}`;
  /** Unlocks under way, so that a shutting-down instance lets go before it disconnects. */
  private readonly unlocking = new Set<Promise<unknown>>();

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly ttlMs: number,
    private readonly log: Logger,
    private readonly onTakeover: () => void,
  ) {
    this.local = new WriterRegistry(onTakeover);
  }

  static async connect(url: string, log: Logger, onTakeover: () => void = () => undefined, ttlMs = 5000): Promise<RedisWriters> {
    // No offline queue: while Redis is away a fence fails at once instead of waiting for it.
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000, lazyConnect: true } as const;
    const redis = new Redis(url, options);
    // Resubscribed below, not by ioredis: its own resubscription after a reconnect leaves the promise
    // unhandled, and a close while it is in flight killed the process ('Connection is closed.').
    const subscriber = new Redis(url, { ...options, enableOfflineQueue: true, commandTimeout: undefined, autoResubscribe: false });
    for (const connection of [redis, subscriber]) connection.on('error', (error: Error) => log.warn({ err: error.message }, 'redis'));
    await Promise.all([redis.connect(), subscriber.connect()]).catch((error: Error) => {
      redis.disconnect();
      subscriber.disconnect();
      throw new Error(`cannot reach Redis at ${url}: ${error.message}`);
    });
    const writers = new RedisWriters(redis, subscriber, ttlMs, log, onTakeover);
    const subscribe = () => subscriber.subscribe(TAKEOVER, PROBE, writers.replyTo);
    await subscribe();
    // After Redis restarts, every reconnection subscribes again; one cut short waits for the next.
    subscriber.on('ready', () => void subscribe().catch((error: Error) => log.warn({ err: error.message }, 'redis resubscribe')));
    subscriber.on('message', (_channel: string, text: string) => writers.onMessage(JSON.parse(text) as Message));
    return writers;
  }

  /** Fire and forget: a message Redis did not take is like one nobody answered. */
  private publish(channel: string, message: Message): Promise<unknown> {
    return this.redis.publish(channel, JSON.stringify(message)).catch(() => undefined);
  }

  private onMessage(message: Message): void {
    if (message.channel === TAKEOVER) {
      const held = this.holding.get(message.lock);
      if (held && held.token !== message.requester && !held.lease.superseded.aborted) {
        this.onTakeover();
        held.lease.stop('takeover');
      }
    } else if (message.channel === PROBE) {
      if (!this.holding.has(lockKeyOf(message.key))) return;
      void this.local.liveOffsets(message.key, message.ghostIdleMs).catch(() => undefined).then((live) =>
        this.publish(message.replyTo, { channel: 'reply', ask: message.ask, live: live ?? null }));
    } else {
      this.probes.get(message.ask)?.(message.live);
    }
  }

  async stopLive(key: string): Promise<void> {
    // A live append holds the lock, here or on another instance; taking it over stops that append.
    if (!this.local.current(key) && !(await this.redis.exists(lockKeyOf(key)).catch(() => 0))) return;
    const lease = await this.acquire(key);
    lease.release();
  }

  async liveOffsets(key: string, ghostIdleMs: number): Promise<LiveOffsets | undefined> {
    if (this.local.current(key)) return this.local.liveOffsets(key, ghostIdleMs);
    if (!(await this.redis.exists(lockKeyOf(key)).catch(() => 0))) return undefined;
    const ask = randomUUID();
    const answered = new Promise<LiveOffsets | null>((resolve) => {
      this.probes.set(ask, resolve);
      setTimeout(() => resolve(null), PROBE_MS).unref();
    });
    await this.publish(PROBE, { channel: PROBE, key, ghostIdleMs, replyTo: this.replyTo, ask });
    const live = await answered;
    this.probes.delete(ask);
    return live ?? undefined;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  // Status promises live in Redis, so a status on one instance binds an append on another. Redis out
  // of reach means no promise: the append is refused with the held offset, as before issue 32.
  async promise(key: string, offset: number): Promise<void> {
    await this.redis.set(promiseKeyOf(key), String(offset), 'PX', PROMISE_MS).catch(() => undefined);
  }

  async promised(key: string): Promise<number | undefined> {
    const offset = await this.redis.get(promiseKeyOf(key)).catch(() => null);
    return offset === null ? undefined : Number(offset);
  }

  async endPromise(key: string): Promise<void> {
    await this.redis.del(promiseKeyOf(key)).catch(() => undefined);
  }

  async endPromiseBelow(key: string, offset: number): Promise<void> {
    await this.redis.eval(END_BELOW, 1, promiseKeyOf(key), String(offset)).catch(() => undefined);
  }

  get closing(): boolean {
    return this.local.closing;
  }

  /** The quota ledger on the same Redis. */
  ledger(): QuotaLedger {
    return new RedisLedger(this.redis);
  }

  /** In turn on this instance, then under a Redis lock (renewed while the work runs) across instances. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.local.exclusive(name, async () => {
      const lockKey = `ferry:mutex:${createHash('sha256').update(name).digest('hex')}`;
      const token = randomUUID();
      const deadline = Date.now() + this.ttlMs * 2;
      while ((await this.redis.set(lockKey, token, 'PX', this.ttlMs, 'NX').catch(() => undefined)) !== 'OK') {
        if (Date.now() > deadline) throw new HttpError(503, 'another server is busy with the same change; retry shortly', undefined, { 'retry-after': '1' });
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const renewal = setInterval(() => void this.redis.eval(EXTEND, 1, lockKey, token, this.ttlMs).catch(() => undefined), this.ttlMs / 3);
      try {
        return await work();
      } finally {
        clearInterval(renewal);
        await this.redis.eval(UNLOCK, 1, lockKey, token).catch(() => undefined);
      }
    });
  }

  async tryAcquire(key: string): Promise<Lease | undefined> {
    const lease = await this.local.tryAcquire(key);
    if (!lease) return undefined;
    const lockKey = lockKeyOf(key);
    const token = randomUUID();
    if ((await this.redis.set(lockKey, token, 'PX', this.ttlMs, 'NX').catch(() => undefined)) !== 'OK') {
      lease.release();
      return undefined;
    }
    this.hold(lease, lockKey, token);
    return lease;
  }

  current(key: string): Lease | undefined {
    return this.local.current(key);
  }

  async stopAll(): Promise<void> {
    await this.local.stopAll();
  }

  async close(): Promise<void> {
    await Promise.all(this.unlocking);
    this.redis.disconnect();
    this.subscriber.disconnect();
  }

  async acquire(key: string): Promise<Lease> {
    const lease = await this.local.acquire(key); // an older append on this instance has let go
    const lockKey = lockKeyOf(key);
    const token = randomUUID();
    // Long enough for a holder on another instance to flush, or for a dead one's lock to expire.
    const deadline = Date.now() + this.ttlMs * 2;
    let askedAt = 0;
    for (;;) {
      if (lease.superseded.aborted) {
        // A newer request on this instance came first; this one answers 409 and must not write.
        lease.fence = () => Promise.reject(new LockLost('a newer request took over'));
        return lease;
      }
      const taken = await this.redis.set(lockKey, token, 'PX', this.ttlMs, 'NX').catch(() => undefined);
      if (taken === 'OK') break;
      if (Date.now() > deadline) {
        lease.release();
        throw new HttpError(503, 'another server is still letting go of this upload; retry shortly', undefined, { 'retry-after': '1' });
      }
      if (Date.now() - askedAt > ASK_AGAIN_MS) {
        askedAt = Date.now();
        await this.publish(TAKEOVER, { channel: TAKEOVER, lock: lockKey, requester: token });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.hold(lease, lockKey, token);
    return lease;
  }

  /** Keep renewing the lock while the lease lives; stop the lease as soon as the lock is lost. */
  private hold(lease: Lease, lockKey: string, token: string): void {
    this.holding.set(lockKey, { lease, token });
    let lost: LockLost | undefined;
    const extend = async (): Promise<void> => {
      if (lost) throw lost;
      let reason = 'it expired or Redis restarted';
      const extended = await this.redis.eval(EXTEND, 1, lockKey, token, this.ttlMs).catch((error: Error) => {
        reason = `Redis did not answer (${error.message})`;
        return 0;
      });
      if (extended === 1 || lost) {
        if (lost) throw lost;
        return;
      }
      lost = new LockLost(reason);
      this.log.warn({ lock: lockKey, reason }, 'writer lock lost; stopping the append');
      lease.stop('lock-lost');
      throw lost;
    };
    lease.fence = extend;
    const renewal = setInterval(() => extend().catch(() => clearInterval(renewal)), this.ttlMs / 3);
    renewal.unref();
    void lease.released.then(async () => {
      clearInterval(renewal);
      if (this.holding.get(lockKey)?.token === token) this.holding.delete(lockKey);
      if (lost) return;
      const unlock = this.redis.eval(UNLOCK, 1, lockKey, token).catch(() => undefined);
      this.unlocking.add(unlock);
      await unlock;
      this.unlocking.delete(unlock);
    });
  }
}

function lockKeyOf(key: string): string {
  return `ferry:lock:${createHash('sha256').update(key).digest('hex')}`;
}

function promiseKeyOf(key: string): string {
  return `ferry:promise:${createHash('sha256').update(key).digest('hex')}`;
}
