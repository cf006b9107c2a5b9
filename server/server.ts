// Builds a Ferry server from a config: the store, the writer registry, the router, the sweeper.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createHandler } from './app.js';
import { Owners, ownerSecret } from './owner.js';
import { Tokens } from './tokens.js';
import { AppendSlots, openFileLimit, totalAppendsFor } from './append-slots.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { createLogger } from './log.js';
import { FsStore } from './store/fs-store.js';
import type { UploadStore } from './store/port.js';
import { Bucket, s3Client } from './store/s3-bucket.js';
import { S3Store } from './store/s3-store.js';
import { startSweeper } from './sweeper.js';
import { RedisWriters } from './redis-writers.js';
import { LocalLedger } from './quota-ledger.js';
import { WriterRegistry } from './writers.js';

export interface FerryServer {
  server: Server;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, stop open appends once their bytes are flushed, and close every connection. */
  shutdown(): Promise<void>;
}

export async function startFerry(config: Config, log: Logger = createLogger(config.logLevel)): Promise<FerryServer> {
  const store = await openStore(config);
  const writers = config.redisUrl ? await RedisWriters.connect(config.redisUrl, log) : new WriterRegistry();
  const fileLimit = openFileLimit();
  const slots = new AppendSlots({ perOwner: config.maxOwnerAppends, total: totalAppendsFor(config.maxAppends, fileLimit) });
  const tokens = new Tokens(store, (name, work) => writers.exclusive(name, work), config.maxOwnerTokens);
  const owners = new Owners(await ownerSecret(config.ownerSecret, config.dataDir), tokens);
  const ledger = writers instanceof RedisWriters ? writers.ledger() : new LocalLedger();
  const ctx: AppContext = { config, store, writers, slots, owners, tokens, ledger, log };

  const handler = createHandler(ctx);
  const server = createServer({
    // docs/design.md §3.13: the 300 s default would kill a classic client that sends a whole file in one request.
    requestTimeout: 0,
    headersTimeout: 60_000,
  }, handler);
  // "Expect: 100-continue" reaches the handler first: an append invites its body only once it would take it.
  server.on('checkContinue', handler);
  // Shed load before the descriptors run out: past this, new connections are closed at once.
  if (fileLimit !== undefined) server.maxConnections = Math.max(16, fileLimit - 32 - slots.limits.total);
  // A connection with no traffic at all for this long is dead; closing it releases its upload.
  server.setTimeout(config.socketIdleMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Out of descriptors, accept() fails; that is load to shed, not a reason to stop serving.
  server.on('error', (error: Error) => log.error({ err: error.message }, 'server'));
  const stopSweeper = startSweeper(ctx);
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= (async () => {
    stopSweeper();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections that finish a request during the grace period are closed as they go idle.
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    await ctx.writers.stopAll();
    // Give the stopped appends' answers a moment to leave, then drop what is left.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    clearInterval(reaper);
    server.closeAllConnections();
    await closed;
    if (writers instanceof RedisWriters) await writers.close();
  })());

  return { server, port, shutdown };
}

async function openStore(config: Config): Promise<UploadStore> {
  const store = config.store.kind === 's3'
    ? new S3Store(new Bucket(s3Client(config.store), config.store.bucket), config.store.partBytes, config.maxUploadBytes)
    : new FsStore(config.dataDir);
  await store.init();
  return store;
}
