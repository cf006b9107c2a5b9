// /tokens: bearer tokens for clients without the owner cookie. Minted and revoked only by the
// browser that owns them: same origin, owner cookie (SameSite=Strict keeps other sites' pages out).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { HttpError } from '../errors.js';
import { checkFloor } from '../quota.js';
import { sendJson } from '../respond.js';

const OWN_ORIGIN_ONLY = 'tokens are managed from the app\'s own origin only';

/** The owner behind the browser's cookie, for a request from this very origin; bearer tokens cannot manage tokens. */
function cookieOwner(ctx: AppContext, req: IncomingMessage, res: ServerResponse): string {
  checkSameOrigin(req);
  return ctx.owners.fromCookie(req, res);
}

function checkSameOrigin(req: IncomingMessage): void {
  if (req.headers.authorization) throw new HttpError(403, 'tokens are managed from the app, with its cookie, not with a token');
  const origin = req.headers.origin;
  // `Origin: null` (a sandboxed frame, a file) or one that is no URL at all is no origin of ours (issue 28, L1).
  if (origin !== undefined && hostOf(origin) !== req.headers.host) throw new HttpError(403, OWN_ORIGIN_ONLY);
  if (req.headers['sec-fetch-site'] !== undefined && req.headers['sec-fetch-site'] !== 'same-origin') throw new HttpError(403, OWN_ORIGIN_ONLY);
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Only a browser that already holds its owner cookie mints: one without it would be a new owner made
 * for each request, each leaving a token record on disk (issue 28, M4). The app's page sets the cookie.
 */
export async function mintToken(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  checkSameOrigin(req);
  const owner = ctx.owners.existingCookieOwner(req);
  if (!owner) throw new HttpError(403, 'open the app first: tokens are minted for a browser that already has its owner cookie');
  await checkFloor(ctx, 'new tokens');
  sendJson(res, 201, await ctx.tokens.mint(owner));
}

export async function listTokens(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, await ctx.tokens.list(cookieOwner(ctx, req, res)));
}

export async function revokeToken(ctx: AppContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  if (!(await ctx.tokens.revoke(cookieOwner(ctx, req, res), id))) throw new HttpError(404, 'no token by this id');
  res.writeHead(204).end();
}
