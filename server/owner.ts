import { randomBytes, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';

const COOKIE = 'ferry_owner';
// 32 random bytes, base64url: unguessable, and anything else is not a token we issued.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
// Chromium caps cookie lifetimes at 400 days.
const MAX_AGE_S = 400 * 24 * 3600;

/**
 * docs/design.md §1.3: the first response to a browser without an owner cookie sets an
 * HttpOnly, SameSite=Strict cookie holding a random token. Returns the owner's
 * namespace key: a hash of the token, so the disk never holds the credential.
 */
export function ownerOf(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers.cookie;
  let token = header ? parseCookie(header)[COOKIE] : undefined;
  if (!token || !TOKEN.test(token)) {
    token = randomBytes(32).toString('base64url');
    res.appendHeader('set-cookie', serializeCookie(COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: MAX_AGE_S,
      secure: isHttps(req),
    }));
  }
  return createHash('sha256').update(`ferry-owner:${token}`).digest('hex');
}

function isHttps(req: IncomingMessage): boolean {
  return 'encrypted' in req.socket || req.headers['x-forwarded-proto'] === 'https';
}
