// What a host that mounts Ferry is told, and may say no to (createFerry's options).
import type { IncomingMessage } from 'node:http';
import { Problem } from '../common/protocol.js';
import type { LogFields } from './context.js';
import { ProblemError } from './errors.js';
import { ownerIdOf } from './identity.js';
import type { Logger } from 'pino';

/** A new upload, before anything of it is stored. */
export interface UploadCreate {
  /** The owner id the host's `authenticate` gave (the owner key under the default identity). */
  owner: string;
  /** The upload's id in its protocol: the client's X-File-Id, or the id in a tus/IETF upload URL. */
  id: string;
  name: string | undefined;
  size: number | undefined;
  type: string | undefined;
  /** The client's metadata (tus Upload-Metadata), as sent. */
  metadata: Record<string, string>;
}

export interface Hooks {
  /** Runs before anything of a new upload is stored; throw a FerryRefusal to refuse it. */
  onUploadCreate?(upload: UploadCreate): unknown;
}

/** Thrown by a hook to refuse: answered as `status` with a problem whose title is `title`; nothing is kept. */
export class FerryRefusal extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
    this.name = 'FerryRefusal';
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`FerryRefusal needs a 4xx or 5xx status, not ${status}`);
  }
}

/** Ask the host whether this upload may start: its refusal, or a hook that failed, becomes a problem. */
export async function askToCreate(hooks: Hooks, req: IncomingMessage, key: string, upload: Omit<UploadCreate, 'owner'>, log: Logger, fields: LogFields): Promise<void> {
  if (!hooks.onUploadCreate) return;
  try {
    await hooks.onUploadCreate({ ...upload, owner: ownerIdOf(req, key) });
  } catch (error) {
    if (error instanceof FerryRefusal) {
      fields.outcome = 'refused-by-host';
      throw new ProblemError(error.status, Problem.refused, error.title, error.title);
    }
    log.error({ err: error, ...fields }, 'onUploadCreate failed');
    throw new ProblemError(500, Problem.hookFailed, 'The application could not accept this upload', 'its onUploadCreate hook failed; nothing was kept');
  }
}
