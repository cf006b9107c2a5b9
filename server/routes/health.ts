// What an operator's monitoring asks: /healthz (the process answers), /readyz (the store and Redis
// answer, and the server is not shutting down) and /metrics (Prometheus text, only when enabled).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { sendText } from '../respond.js';

/** How long readiness waits for the store and Redis. */
const READY_MS = 2000;

export async function healthz(_ctx: AppContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendText(res, 200, 'ok', { 'cache-control': 'no-store' });
}

export async function readyz(ctx: AppContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const problems: string[] = [];
  if (ctx.writers.closing) problems.push('shutting down');
  const check = async (what: string, probe: () => Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), READY_MS)));
    try {
      await Promise.race([probe(), late]);
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  };
  await Promise.all([check('store', () => ctx.store.ready()), check('redis', () => ctx.writers.ping())]);
  sendText(res, problems.length === 0 ? 200 : 503, problems.length === 0 ? 'ready' : `not ready: ${problems.join('; ')}`, { 'cache-control': 'no-store' });
}

export async function metrics(ctx: AppContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' }).end(text);
}
