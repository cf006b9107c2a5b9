// What the standalone server adds behind the handler a host would mount: the built app (with the
// browser's owner cookie), `/app-config`, and what an operator's monitoring asks (/healthz, /readyz,
// /metrics when enabled on this port).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Route } from '../common/protocol.js';
import { formatTarget, targetOrigin, type AppConfig } from '../common/target.js';
import type { AppContext } from './context.js';
import { applyCors } from './cors.js';
import { apiHeaders, sendJson, sendText } from './respond.js';
import { healthz, metrics, readyz } from './routes/health.js';
import { staticApp } from './static.js';

type Route = (ctx: AppContext, req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function appServer(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => void {
  const serveApp = staticApp(ctx.config.staticDir, targetOrigin(ctx.config.uploadTarget));
  const appConfig: AppConfig = {
    target: formatTarget(ctx.config.uploadTarget),
    ...(ctx.config.uploadTarget.protocol === 'ferry' ? { maxUploadBytes: ctx.config.maxUploadBytes } : {}),
  };
  const routes = new Map<string, Route>([
    ['/healthz', healthz],
    ['/readyz', readyz],
    [Route.appConfig, async (_ctx, _req, res) => sendJson(res, 200, appConfig)],
  ]);
  if (ctx.config.metrics && ctx.config.metricsPort === undefined) routes.set('/metrics', metrics);

  return (req, res) => {
    const route = routes.get((req.url ?? '/').split('?', 1)[0]!);
    if (!route) {
      ctx.owners.fromCookie(req, res); // the app's first response already gives the browser its owner cookie
      serveApp(req, res);
      return;
    }
    apiHeaders(res);
    if (applyCors(ctx.config.corsOrigins, req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
      return;
    }
    route(ctx, req, res).catch((error: unknown) => {
      ctx.log.error({ err: error, path: req.url }, 'request failed');
      if (res.headersSent) res.destroy();
      else sendText(res, 500, 'internal error');
    });
  };
}
