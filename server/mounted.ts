// The handler a host mounts, and the one the standalone server runs: Ferry's protocol routes under
// a mount path (req.baseUrl, or `basePath`), the rest handed to `next()`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { createHandler, type Next } from './app.js';
import { buildContext, type HostParts } from './build-context.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { setMount } from './mount.js';

export interface Ferry {
  handle(req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** Stop the sweeper, stop open appends once their bytes are flushed, and let Redis go. */
  close(): Promise<void>;
}

/** A Ferry handler from a checked configuration; its context too, for the standalone server's own routes. */
export async function openFerry(config: Config, log: Logger, host: HostParts, basePath?: string): Promise<{ ferry: Ferry; ctx: AppContext }> {
  const { ctx, stop } = await buildContext(config, log, host);
  const handler = createHandler(ctx);
  const mountedAt = basePath?.replace(/\/+$/, '');
  const ferry: Ferry = {
    handle(req, res, next) {
      let base = (req as { baseUrl?: string }).baseUrl ?? '';
      if (mountedAt) {
        const url = req.url ?? '/';
        if (url !== mountedAt && !url.startsWith(`${mountedAt}/`) && !url.startsWith(`${mountedAt}?`)) {
          handler(req, res, next); // not under the mount: Ferry serves nothing there
          return;
        }
        req.url = url.slice(mountedAt.length) || '/';
        base = `${base}${mountedAt}`;
      }
      setMount(req, base);
      handler(req, res, next);
    },
    close: stop,
  };
  return { ferry, ctx };
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
