// Builds a Ferry server from a config: the store, the writer registry, the router, the sweeper.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createHandler } from './app.js';
import { Owners, ownerSecret } from './owner.js';
import { Tokens } from './tokens.js';
import { AppendSlots, openFileLimit, totalAppendsFor } from './append-slots.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { FinishHooks, type OnUploadFinish } from './finish-hooks.js';
import type { Hooks } from './hooks.js';
import { cookieIdentity, hostIdentity, type Authenticate } from './identity.js';
import { createLogger } from './log.js';
import { metrics } from './routes/health.js';
import { Metrics, type TimeStore } from './metrics.js';
import { FsStore } from './store/fs-store.js';
import type { UploadStore } from './store/port.js';
import { startPush } from './push/start.js';
import { startSweeper } from './sweeper.js';
import type { RedisWriters } from './redis-writers.js';
import { LocalLedger } from './quota-ledger.js';
import { webhooks } from './webhooks.js';
import { WriterRegistry } from './writers.js';

export interface FerryServer {
  server: Server;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, stop open appends once their bytes are flushed, and close every connection. */
  shutdown(): Promise<void>;
  /** Where /metrics is served, with METRICS_PORT. */
  metricsPort?: number;
}

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
  const ctx: AppContext = { config, store, writers, slots, owners, identify, hooks: host.hooks ?? {}, ...(finish ? { finish } : {}), ...(push ? { push: push.parts } : {}), tokens, ledger, metrics, log };
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

/**
 * What a handler needs of the Node server it runs in: no request timeout while a body streams
 * (docs/design.md §3.13: the 300 s default would kill a classic client sending a whole file in one
 * request), and "Expect: 100-continue" handed to it, so an append invites its body only once it would take it.
 */
export function prepareServer(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('checkContinue', handler);
  return server;
}

export async function startFerry(config: Config, log: Logger = createLogger(config.logLevel)): Promise<FerryServer> {
  const { ctx, stop } = await buildContext(config, log, webhooks(config));
  const handler = createHandler(ctx, { app: true });
  const server = prepareServer(createServer(handler), handler);
  // Shed load before the descriptors run out: past this, new connections are closed at once.
  const fileLimit = openFileLimit();
  if (fileLimit !== undefined) server.maxConnections = Math.max(16, fileLimit - 32 - ctx.slots.limits.total);
  // A connection with no traffic at all for this long is dead; closing it releases its upload.
  server.setTimeout(config.socketIdleMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Out of descriptors, accept() fails; that is load to shed, not a reason to stop serving.
  server.on('error', (error: Error) => log.error({ err: error.message }, 'server'));
  const port = (server.address() as AddressInfo).port;
  const metricsServer = config.metrics && config.metricsPort !== undefined ? await serveMetrics(ctx, config.host, config.metricsPort) : undefined;

  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= (async () => {
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
    metricsServer?.close();
    await stop();
  })());

  return { server, port, shutdown, ...(metricsServer ? { metricsPort: (metricsServer.address() as AddressInfo).port } : {}) };
}

/** /metrics alone on a port of its own (METRICS_PORT), so the public port never shows it. */
async function serveMetrics(ctx: AppContext, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') void metrics(ctx, req, res).catch(() => res.destroy());
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return server;
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
