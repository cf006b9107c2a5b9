// The standalone server (`npm start`): the handler createFerry makes, built from the environment's
// configuration, with the app behind it (app-server.ts), on a node:http server of its own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AppContext } from './context.js';
import type { Config } from './config.js';
import { createLogger } from './log.js';
import { openFerry, prepareServer } from './mounted.js';
import { metrics } from './routes/health.js';
import { appServer } from './app-server.js';
import { openFileLimit } from './append-slots.js';
import { webhooks } from './webhooks.js';

export interface FerryServer {
  server: Server;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  /** Stop accepting, stop open appends once their bytes are flushed, and close every connection. */
  shutdown(): Promise<void>;
  /** Where /metrics is served, with METRICS_PORT. */
  metricsPort?: number;
  /** What the handler runs on: the store, the writers, the config (a test stands in a slow disk here). */
  ctx: AppContext;
}

export async function startFerry(config: Config, log: Logger = createLogger(config.logLevel)): Promise<FerryServer> {
  const { ferry, ctx } = await openFerry(config, log, webhooks(config));
  const app = appServer(ctx);
  // Exactly as a host mounts it: what Ferry does not serve falls through to the app.
  const handler = (req: IncomingMessage, res: ServerResponse) => ferry.handle(req, res, () => app(req, res));
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
    await ferry.close();
  })());

  return { server, port, shutdown, ctx, ...(metricsServer ? { metricsPort: (metricsServer.address() as AddressInfo).port } : {}) };
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

