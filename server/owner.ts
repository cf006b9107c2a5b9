// Owners: each browser's namespace, named by a token in an HttpOnly cookie. The server signs
// the tokens it issues (HMAC-SHA256), so a token it did not issue, however well formed, is
// replaced by a fresh one: nobody can fix a victim's owner to a token they know.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import { HttpError } from './errors.js';
import type { Tokens } from './tokens.js';

const COOKIE = 'ferry_owner';
// 32 random bytes, then their HMAC, both base64url.
const TOKEN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
// Chromium caps cookie lifetimes at 400 days.
const MAX_AGE_S = 400 * 24 * 3600;
const SECRET_FILE = 'owner-secret';

/**
 * The signing secret: OWNER_SECRET when set (every instance of a cluster must share it), else one
 * generated at the first start and kept in DATA_DIR, readable by this user only.
 */
export async function ownerSecret(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, SECRET_FILE);
  const kept = await readFile(file, 'utf8').catch(() => undefined);
  if (kept && kept.trim().length >= 43) return Buffer.from(kept.trim(), 'utf8');
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx': two instances starting at once on one DATA_DIR keep the first one's secret.
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'utf8');
}

export class Owners {
  constructor(
    private readonly secret: Buffer,
    private readonly tokens: Tokens,
  ) {}

  /**
   * Who is asking: the owner an `Authorization: Bearer` token speaks for (401 when it is not a
   * valid one), else the browser's cookie owner.
   */
  async of(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const authorization = req.headers.authorization;
    if (authorization === undefined || !/^Bearer\b/i.test(authorization)) return this.fromCookie(req, res);
    // Any Bearer attempt speaks for a token, never for a cookie: an empty or broken one is refused too.
    const owner = await this.tokens.ownerOf(/^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '');
    if (!owner) throw new HttpError(401, 'this bearer token is not valid here: it was revoked, or never issued', undefined, { 'www-authenticate': 'Bearer' });
    return owner;
  }

  /**
   * docs/design.md §1.3: the first response to a browser without a valid owner cookie sets an
   * HttpOnly, SameSite=Strict cookie holding a fresh signed token. Returns the owner's
   * namespace key: a hash of the token, so the disk never holds the credential.
   */
  fromCookie(req: IncomingMessage, res: ServerResponse): string {
    let token = this.cookieToken(req);
    if (!token) {
      token = this.issue();
      res.appendHeader('set-cookie', serializeCookie(COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        maxAge: MAX_AGE_S,
        secure: isHttps(req),
      }));
    }
    return ownerKeyOf(token);
  }

  /** The owner of a valid cookie the browser already holds; undefined (and no cookie set) without one. */
  existingCookieOwner(req: IncomingMessage): string | undefined {
    const token = this.cookieToken(req);
    return token === undefined ? undefined : ownerKeyOf(token);
  }

  private cookieToken(req: IncomingMessage): string | undefined {
    const header = req.headers.cookie;
    const token = header ? parseCookie(header)[COOKIE] : undefined;
    return token && this.issued(token) ? token : undefined;
  }

  private issue(): string {
    const nonce = randomBytes(32).toString('base64url');
    return `${nonce}.${this.sign(nonce)}`;
  }

  /** True only for a token this server (or one sharing its secret) issued. */
  private issued(token: string): boolean {
    const match = TOKEN.exec(token);
    if (!match) return false;
    const expected = Buffer.from(this.sign(match[1]!));
    const given = Buffer.from(match[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(nonce: string): string {
    return createHmac('sha256', this.secret).update(nonce).digest('base64url');
  }
}

function ownerKeyOf(token: string): string {
  return createHash('sha256').update(`ferry-owner:${token}`).digest('hex');
}

function isHttps(req: IncomingMessage): boolean {
  return 'encrypted' in req.socket || req.headers['x-forwarded-proto'] === 'https';
}
