// Everything a route needs, built from a configuration and what a host adds (its identity, its hooks):
// the store, the writer registry (or Redis), quotas, tokens, the sweeper and the finish hooks.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppendSlots, openFileLimit, totalAppendsFor } from './append-slots.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { FinishHooks, type OnUploadFinish } from './finish-hooks.js';
import type { Hooks } from './hooks.js';
import { cookieIdentity, hostIdentity, type Authenticate } from './identity.js';
import { Metrics, type TimeStore } from './metrics.js';
import { Owners, ownerSecret } from './owner.js';
import { startPush } from './push/start.js';
import type { RedisWriters } from './redis-writers.js';
import { LocalLedger } from './quota-ledger.js';
import { FsStore } from './store/fs-store.js';
import type { UploadStore } from './store/port.js';
import { startSweeper } from './sweeper.js';
import { Tokens } from './tokens.js';
import { WriterRegistry } from './writers.js';

/** What a host adds to the configuration: its identity and its hooks. */
export interface HostParts {
  authenticate?: Authenticate;
  hooks?: Hooks;
  /** With the default identity, give a browser without an owner cookie a new one (the standalone server does). */
  issueOwnerCookies?: boolean;
  onUploadFinish?: OnUploadFinish;
}

/** Everything a route needs, and how to let it all go: stop the sweeper, flush open appends, leave Redis. */
export async function buildContext(config: Config, log: Logger, host: HostParts = {}): Promise<{ ctx: AppContext; stop(): Promise<void> }> {
  const slots = new AppendSlots({ perOwner: config.maxOwnerAppends, total: totalAppendsFor(config.maxAppends, openFileLimit()) });
  const metrics = new Metrics(() => slots.openCount);
  const store = await openStore(config, (operation, work) => metrics.time(operation, work));
  const onTakeover = () => metrics.takeovers.inc();
  const redis = config.redisUrl ? await (await optional<typeof import('./redis-writers.js')>('ioredis', () => import('./redis-writers.js'))).RedisWriters.connect(config.redisUrl, log, onTakeover) : undefined;
  const writers: RedisWriters | WriterRegistry = redis ?? new WriterRegistry(onTakeover);
  const tokens = new Tokens(store, (name, work) => writers.exclusive(name, work), config.maxOwnerTokens);
  // A host's own identity uses no owner cookie: nothing to sign, nothing to keep on disk.
  const owners = new Owners(host.authenticate ? randomBytes(32) : await ownerSecret(config.ownerSecret, config.dataDir), tokens);
  const ledger = redis ? redis.ledger() : new LocalLedger();
  const identify = host.authenticate ? hostIdentity(host.authenticate) : cookieIdentity(owners, host.issueOwnerCookies ?? true);
  const finish = host.onUploadFinish ? new FinishHooks(store, writers, host.onUploadFinish, log, (pending) => metrics.hooksPending.set(pending)) : undefined;
  const push = config.push.on ? await startPush(config.push, config.dataDir, store, log) : undefined;
  const ctx: AppContext = { config, store, writers, slots, owners, cookieOwners: !host.authenticate, identify, hooks: host.hooks ?? {}, ...(finish ? { finish } : {}), ...(push ? { push: push.parts } : {}), tokens, ledger, metrics, log };
  const stopSweeper = startSweeper(ctx);
  finish?.start();
  return {
    ctx,
    async stop() {
      stopSweeper();
      push?.stop();
      finish?.stop();
      await writers.stopAll();
      await redis?.close();
    },
  };
}

async function openStore(config: Config, time: TimeStore): Promise<UploadStore> {
  if (config.store.kind === 's3') {
    const [{ Bucket, s3Client }, { S3Store }] = await optional('@aws-sdk/client-s3', () => Promise.all([import('./store/s3-bucket.js'), import('./store/s3-store.js')]));
    const store = new S3Store(new Bucket(s3Client(config.store), config.store.bucket), config.store.partBytes, config.maxUploadBytes, time);
    await store.init();
    return store;
  }
  const store = new FsStore(config.dataDir, time);
  await store.init();
  return store;
}

/** Server parts whose dependency only some hosts install (the S3 SDK, ioredis), loaded when asked for. */
async function optional<T>(dependency: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(dependency)) throw new Error(`this setting needs ${dependency}: npm install ${dependency}`, { cause: error });
    throw error;
  }
}
