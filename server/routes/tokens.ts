// /tokens: bearer tokens for clients without the owner cookie. Minted and revoked only by the
// browser that owns them: same origin, owner cookie (SameSite=Strict keeps other sites' pages out).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { HttpError } from '../errors.js';
import { sendJson } from '../respond.js';

/** The owner behind the browser's cookie, for a request from this very origin; bearer tokens cannot manage tokens. */
function cookieOwner(ctx: AppContext, req: IncomingMessage, res: ServerResponse): string {
  if (req.headers.authorization) throw new HttpError(403, 'tokens are managed from the app, with its cookie, not with a token');
  const origin = req.headers.origin;
  if (origin !== undefined && new URL(origin).host !== req.headers.host) throw new HttpError(403, 'tokens are managed from the app\'s own origin only');
  if (req.headers['sec-fetch-site'] !== undefined && req.headers['sec-fetch-site'] !== 'same-origin') throw new HttpError(403, 'tokens are managed from the app\'s own origin only');
  return ctx.owners.fromCookie(req, res);
}

export async function mintToken(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 201, await ctx.tokens.mint(cookieOwner(ctx, req, res)));
}

export async function listTokens(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.tokens.list(cookieOwner(ctx, req, res)));
}

export async function revokeToken(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  if (!(await ctx.tokens.revoke(cookieOwner(ctx, req, res), id))) throw new HttpError(404, 'no token by this id');
  res.writeHead(204).end();
}
