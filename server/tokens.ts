// Bearer tokens, for clients that carry no cookie (tus-js-client in Node, curl, an app on
// another origin): an owner mints them in the app, each bound to that owner, and revokes them
// there. A token is `<owner key>.<id>.<secret>`; the store keeps only the secret's SHA-256,
// beside the owner's uploads, so every instance of a cluster knows every token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Problem } from '../common/protocol.js';
import { ProblemError } from './errors.js';
import type { TokenRecord, UploadStore } from './store/port.js';

const TOKEN = /^([0-9a-f]{64})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** What the app shows of a token once minted: never its secret. */
export interface TokenInfo {
  id: string;
  createdAt: string;
}

/** Runs `work` while no other change runs under `name`, on any instance (Writers.exclusive). */
export type Exclusive = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export class Tokens {
  constructor(
    private readonly store: UploadStore,
    /**
     * Every change to an owner's tokens reads, changes and writes their one record: two at once
     * lost one of them, and a revocation answered 204 while the token still worked (issue 28, M1).
     */
    private readonly exclusive: Exclusive,
    private readonly maxPerOwner: number,
  ) {}

  private changing<T>(owner: string, work: (tokens: TokenRecord[]) => Promise<T>): Promise<T> {
    return this.exclusive(`tokens\n${owner}`, async () => work(await this.store.readTokens(owner)));
  }

  /** A new token for `owner`: its id, and the token itself, shown this once. */
  mint(owner: string): Promise<TokenInfo & { token: string }> {
    return this.changing(owner, async (tokens) => {
      if (tokens.length >= this.maxPerOwner) {
        throw new ProblemError(409, Problem.tokenLimit, 'Too many tokens', `You hold ${tokens.length} tokens, the most this server keeps for one owner. Revoke one you no longer use, then mint again.`, undefined, { limit: this.maxPerOwner });
      }
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const record: TokenRecord = { id, secretHash: hashOf(secret), createdAt: new Date().toISOString() };
      await this.store.writeTokens(owner, [...tokens, record]);
      return { id, createdAt: record.createdAt, token: `${owner}.${id}.${secret}` };
    });
  }

  async list(owner: string): Promise<TokenInfo[]> {
    return (await this.store.readTokens(owner)).map(({ id, createdAt }) => ({ id, createdAt }));
  }

  /** Revoke one of `owner`'s tokens; false when there was none by that id. Once it resolves, no instance takes the token. */
  revoke(owner: string, id: string): Promise<boolean> {
    return this.changing(owner, async (tokens) => {
      const kept = tokens.filter((token) => token.id !== id);
      if (kept.length === tokens.length) return false;
      await this.store.writeTokens(owner, kept);
      return true;
    });
  }

  /**
   * Forget the tokens of owners who keep nothing on this server and minted nothing since `cutoff`:
   * token records cost files too, and an owner made only to mint them would otherwise stay forever.
   */
  async sweep(cutoff: number): Promise<number> {
    let removed = 0;
    for await (const owner of this.store.tokenOwners()) {
      const stale = (tokens: TokenRecord[]) => tokens.length > 0 && tokens.every((token) => Date.parse(token.createdAt) < cutoff);
      if (!stale(await this.store.readTokens(owner))) continue;
      const usage = await this.store.usage(owner, '');
      if (usage.bytes > 0 || usage.partialUploads > 0 || usage.files > 0) continue;
      await this.changing(owner, async (tokens) => {
        if (!stale(tokens)) return;
        await this.store.writeTokens(owner, []);
        removed += 1;
      });
    }
    return removed;
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
