// Bearer tokens, for clients that carry no cookie (tus-js-client in Node, curl, an app on
// another origin): an owner mints them in the app, each bound to that owner, and revokes them
// there. A token is `<owner key>.<id>.<secret>`; the store keeps only the secret's SHA-256,
// beside the owner's uploads, so every instance of a cluster knows every token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenRecord, UploadStore } from './store/port.js';

const TOKEN = /^([0-9a-f]{64})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
/** Tokens one owner may hold at once. */
const MAX_TOKENS = 100;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** What the app shows of a token once minted: never its secret. */
export interface TokenInfo {
  id: string;
  createdAt: string;
}

export class Tokens {
  constructor(private readonly store: UploadStore) {}

  /** A new token for `owner`: its id, and the token itself, shown this once. */
  async mint(owner: string): Promise<TokenInfo & { token: string }> {
    const tokens = await this.store.readTokens(owner);
    if (tokens.length >= MAX_TOKENS) throw new Error(`at most ${MAX_TOKENS} tokens; revoke one first`);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: TokenRecord = { id, secretHash: hashOf(secret), createdAt: new Date().toISOString() };
    await this.store.writeTokens(owner, [...tokens, record]);
    return { id, createdAt: record.createdAt, token: `${owner}.${id}.${secret}` };
  }

  async list(owner: string): Promise<TokenInfo[]> {
    return (await this.store.readTokens(owner)).map(({ id, createdAt }) => ({ id, createdAt }));
  }

  /** Revoke one of `owner`'s tokens; false when there was none by that id. */
  async revoke(owner: string, id: string): Promise<boolean> {
    const tokens = await this.store.readTokens(owner);
    const kept = tokens.filter((token) => token.id !== id);
    if (kept.length === tokens.length) return false;
    await this.store.writeTokens(owner, kept);
    return true;
  }

  /** The owner a bearer token speaks for, or undefined for a token that is malformed, unknown or revoked. */
  async ownerOf(bearer: string): Promise<string | undefined> {
    const match = TOKEN.exec(bearer);
    if (!match) return undefined;
    const [, owner, id, secret] = match as unknown as [string, string, string, string];
    const record = (await this.store.readTokens(owner)).find((token) => token.id === id);
    if (!record) return undefined;
    const [expected, given] = [Buffer.from(record.secretHash, 'hex'), Buffer.from(hashOf(secret), 'hex')];
    return expected.length === given.length && timingSafeEqual(expected, given) ? owner : undefined;
  }
}
