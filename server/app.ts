// The request router: protocol routes first, then the built app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Header, Problem, Route } from '../common/protocol.js';
import type { AppContext, LogFields } from './context.js';
import { HttpError, isOutOfDescriptors, isOutOfSpace, isStoreUnreachable, ProblemError } from './errors.js';
import { apiHeaders, bodyWithheld, sendJson, sendProblem, sendText } from './respond.js';
import { quotaLeft } from './quota.js';
import { deletePushSubscription, pushKey, savePushSubscription } from './routes/push.js';
import { append } from './routes/append.js';
import { cancel } from './routes/cancel.js';
import { downloadFile, listFiles } from './routes/files.js';
import type { Refusal } from './metrics.js';
import { status } from './routes/status.js';
import { listTokens, mintToken, revokeToken } from './routes/tokens.js';
import { applyCors } from './cors.js';
import { TUS_VERSION, tusCreate, tusDelete, tusHead, tusOptions, tusPatch } from './routes/tus.js';
import { ietfCreate, ietfDelete, ietfHead, ietfPatch } from './routes/ietf.js';

type Handler = (req: IncomingMessage, res: ServerResponse, log: LogFields) => Promise<void>;

/** What follows the handler in a host's chain (Express, Connect): called for paths Ferry does not serve. */
export type Next = (error?: unknown) => void;

/** Ferry's routes, wherever it is mounted; the standalone server's own (the app, health) are app-server.ts's. */
export function createHandler(ctx: AppContext): (req: IncomingMessage, res: ServerResponse, next?: Next) => void {
  const api = (path: string, query: string): Record<string, Handler> | undefined => {
    if (path === Route.status) return { GET: (req, res, log) => status(ctx, req, res, log) };
    if (path === Route.upload) {
      return {
        POST: (req, res, log) => append(ctx, req, res, log),
        DELETE: (req, res, log) => cancel(ctx, req, res, log),
      };
    }
    if (path === Route.files) return { GET: (req, res) => listFiles(ctx, req, res) };
    if (path === Route.pushSubscriptions && ctx.push) return { GET: (req, res) => pushKey(ctx, req, res), POST: (req, res) => savePushSubscription(ctx, req, res), DELETE: (req, res) => deletePushSubscription(ctx, req, res) };
    if (path === Route.quota) return { GET: async (req, res) => sendJson(res, 200, await quotaLeft(ctx, await ctx.identify(req, res))) };
    // Tokens speak for the default identity's cookie owners; a host's own `authenticate` has none.
    if (path === Route.tokens && ctx.cookieOwners) return { POST: (req, res) => mintToken(ctx, req, res), GET: (req, res) => listTokens(ctx, req, res) };
    if (path.startsWith(`${Route.tokens}/`) && ctx.cookieOwners) {
      const id = path.slice(Route.tokens.length + 1);
      return { DELETE: (req, res) => revokeToken(ctx, req, res, id) };
    }
    if (path === Route.uploads || path === Route.uploads.slice(0, -1)) {
      const create: Handler = (req, res, log) => ietfCreate(ctx, req, res, log);
      return resumable(
        { OPTIONS: async (_req, res) => tusOptions(ctx, res), POST: (req, res, log) => tusCreate(ctx, req, res, log) },
        // "A client can start a resumable upload from any request that can carry content."
        { POST: create, PUT: create, PATCH: create },
      );
    }
    if (path.startsWith(Route.uploads)) {
      const id = path.slice(Route.uploads.length);
      // Upload URLs are ours to make: anything else names no upload.
      if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
      return resumable({
        OPTIONS: async (_req, res) => tusOptions(ctx, res),
        HEAD: (req, res) => tusHead(ctx, req, res, id),
        PATCH: (req, res, log) => tusPatch(ctx, req, res, id, log),
        DELETE: (req, res) => tusDelete(ctx, req, res, id),
      }, {
        HEAD: (req, res) => ietfHead(ctx, req, res, id),
        PATCH: (req, res, log) => ietfPatch(ctx, req, res, id, log),
        DELETE: (req, res) => ietfDelete(ctx, req, res, id),
      });
    }
    if (path.startsWith(`${Route.files}/`)) {
      // URL parsers resolve "." and ".." (even as %2E) before a request leaves, so `/files/?id=` also names a file.
      const encodedId = path === `${Route.files}/` ? queryId(query) : path.slice(Route.files.length + 1);
      const download: Handler = (req, res, log) => downloadFile(ctx, req, res, encodedId, log);
      return { GET: download, HEAD: download };
    }
    return undefined;
  };

  return (req, res, next) => {
    const startedAt = performance.now();
    const rawUrl = req.url ?? '/';
    const [path = '/', query = ''] = rawUrl.split(/\?(.*)/s, 2);
    const log: LogFields = { method: req.method, path: path.length > 200 ? `${path.slice(0, 200)}…` : path };
    res.on('close', () => {
      log.status = res.statusCode;
      log.ms = Math.round(performance.now() - startedAt);
      if (!res.writableFinished) log.outcome ??= 'connection-closed';
      ctx.log.info(log, 'request');
    });

    const routes = api(path, query);
    if (!routes) {
      if (next) {
        next();
      } else {
        sendProblem(res, new ProblemError(404, Problem.notFound, 'Not found', `nothing is served at ${log.path}`), {});
      }
      return;
    }
    apiHeaders(res);
    if (applyCors(ctx.config.corsOrigins, req, res)) return;
    const method = methodOf(req, path);
    if (method !== req.method) log.method = `${req.method}->${method}`;
    const handler = routes[method];
    if (!handler) {
      sendText(res, 405, `${method} is not allowed on ${path}`, { allow: Object.keys(routes).join(', ') });
      return;
    }
    handler(req, res, log).catch((error: unknown) => fail(ctx, req, res, log, error));
  };
}

/**
 * The resumable-upload endpoint: one path for both protocols, told apart by their headers as tusd
 * does. A request with Upload-Draft-Interop-Version speaks the IETF draft; any other is tus, whose
 * answers all name its version, and which is 412 without the supported Tus-Resumable (OPTIONS needs none).
 */
function resumable(tus: Record<string, Handler>, ietf: Record<string, Handler>): Record<string, Handler> {
  const methods = new Set([...Object.keys(tus), ...Object.keys(ietf)]);
  return Object.fromEntries([...methods].map((method): [string, Handler] => [method, async (req, res, log) => {
    if (req.headers['upload-draft-interop-version'] !== undefined && ietf[method]) return ietf[method](req, res, log);
    res.setHeader('tus-resumable', TUS_VERSION);
    if (method !== 'OPTIONS' && req.headers['tus-resumable'] !== TUS_VERSION) {
      throw new HttpError(412, `this endpoint speaks tus ${TUS_VERSION} and the IETF draft: send Tus-Resumable: ${TUS_VERSION} or Upload-Draft-Interop-Version`, undefined, { 'tus-version': TUS_VERSION });
    }
    const handle = tus[method];
    if (!handle) throw new HttpError(405, `${method} is not a tus request here`, undefined, { allow: Object.keys(tus).join(', ') });
    await handle(req, res, log);
  }]));
}

/**
 * tus: "If a Client does use this header, the Server MUST use its value as the request method"
 * (X-HTTP-Method-Override, for environments that cannot send PATCH or DELETE; tus-js-client's
 * `overridePatchMethod`). Only a POST to an upload's URL, and only to PATCH or DELETE; anything
 * else keeps its own method.
 */
function methodOf(req: IncomingMessage, path: string): string {
  const override = req.headers['x-http-method-override'];
  if (req.method !== 'POST' || typeof override !== 'string' || !path.startsWith(Route.uploads) || path.length === Route.uploads.length) return req.method ?? '';
  const wanted = override.trim().toUpperCase();
  return wanted === 'PATCH' || wanted === 'DELETE' ? wanted : req.method;
}

/** What the metrics count a failed request as, if it was a refusal an operator watches for. */
function refusalOf(error: HttpError | undefined): Refusal | undefined {
  if (error instanceof ProblemError && error.type === Problem.quotaExceeded) return 'quota';
  const digests: string[] = [Problem.contentDigestMismatch, Problem.reprDigestMismatch, Problem.checkedDigestMismatch];
  if ((error instanceof ProblemError && digests.includes(error.type)) || error?.status === 460) return 'digest-mismatch';
  if (error?.status === 408) return 'slow-body';
  if (error?.status === 503) return 'shed';
  return undefined;
}

/** The raw (still percent-encoded) `id` parameter of a query string. */
function queryId(query: string): string {
  for (const pair of query.split('&')) {
    if (pair.startsWith('id=')) return pair.slice(3);
  }
  return '';
}

// A rejected body this small is read and dropped, so the answer arrives on a healthy
// connection; a larger one is cut off, since reading it would waste the link.
const DRAIN_LIMIT = 1 << 20;

function fail(ctx: AppContext, req: IncomingMessage, res: ServerResponse, log: LogFields, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const known = error instanceof HttpError ? error
    : isOutOfSpace(error) ? new HttpError(507, 'the server is out of storage space; retry later', undefined, { 'retry-after': '60' })
    : isOutOfDescriptors(error) ? new HttpError(503, 'the server is busy; retry shortly', undefined, { 'retry-after': '2', connection: 'close' })
    : isStoreUnreachable(error) ? new HttpError(503, 'the storage is unreachable; retry shortly', undefined, { 'retry-after': '5' })
    : undefined;
  if (!known) ctx.log.error({ err: error, ...log }, 'request failed');
  else if (!(error instanceof HttpError)) ctx.log.warn({ err: error, ...log }, known.message);
  const status = known?.status ?? 500;
  const refusal = refusalOf(known);
  if (refusal) ctx.metrics.refused.inc({ reason: refusal });
  log.reason = known?.message ?? 'internal error';
  if (known?.offset !== undefined) log.offset = known.offset;
  if (status === 499) {
    res.destroy(); // the client is gone; nobody to answer
    return;
  }

  const headers: Record<string, string> = { ...known?.headers };
  if (known?.offset !== undefined) headers[Header.uploadOffset] = String(known.offset);
  // docs/design.md §1.3: a 409's body carries the held offset, so the client resumes without another probe.
  const body = status === 409 && known?.offset !== undefined ? String(known.offset) : log.reason;
  const respond = known instanceof ProblemError
    ? () => sendProblem(res, known, headers)
    : () => sendText(res, status, body, headers);

  const unread = req.complete ? 0 : Number(req.headers['content-length'] ?? Infinity);
  if (unread === 0 || req.destroyed) return respond();
  if (bodyWithheld(req) || headers.connection === 'close') {
    // Refused before an "Expect: 100-continue" body was invited (it never comes), or a body that
    // trickles: answer now, and this connection is not read past it.
    headers.connection = 'close';
    return respond();
  }
  if (unread <= DRAIN_LIMIT) {
    req.on('end', respond).on('error', () => res.destroy()).resume();
    return;
  }
  headers.connection = 'close';
  respond();
}
