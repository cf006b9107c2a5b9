// Who is asking: one function per server. The standalone server's is the signed owner cookie plus
// bearer tokens (owner.ts); a host that mounts Ferry gives its own `authenticate`, whose ids are
// stored under a digest (never as a path) and handed back to its hooks as it gave them.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Problem } from '../common/protocol.js';
import { ProblemError } from './errors.js';
import type { Owners } from './owner.js';

/** The owner key a request speaks for (a SHA-256 hex digest), or a 401. */
export type Identify = (req: IncomingMessage, res: ServerResponse) => Promise<string>;

/** A host's identity: an owner id, or null for nobody (401). */
export type Authenticate = (req: IncomingMessage) => string | null | undefined | Promise<string | null | undefined>;

const hostIds = new WeakMap<IncomingMessage, string>();

/** The owner id the host's `authenticate` gave for this request (the key itself under the default identity). */
export function ownerIdOf(req: IncomingMessage, key: string): string {
  return hostIds.get(req) ?? key;
}

/**
 * The standalone server's identity: a bearer token, else the signed owner cookie. With `issue`, a
 * browser without a valid cookie gets a new owner and its cookie; without, it is a 401.
 */
export function cookieIdentity(owners: Owners, issue: boolean): Identify {
  return async (req, res) => {
    if (issue || /^Bearer\b/i.test(req.headers.authorization ?? '')) return owners.of(req, res);
    const owner = owners.existingCookieOwner(req);
    if (owner === undefined) throw new ProblemError(401, Problem.unauthenticated, 'No owner', 'this request carries neither an owner cookie nor a bearer token');
    return owner;
  };
}

export function hostIdentity(authenticate: Authenticate): Identify {
  return async (req) => {
    const id = await authenticate(req);
    if (id === null || id === undefined || id === '') {
      throw new ProblemError(401, Problem.unauthenticated, 'Not signed in', 'this request carries no identity the application accepts');
    }
    hostIds.set(req, id);
    return createHash('sha256').update(`ferry-host-owner:${id}`).digest('hex');
  };
}
