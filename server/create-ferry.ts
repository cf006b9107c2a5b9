// Ferry's server as a handler inside a host's Node app (issue 30): `createFerry(options)` resolves to
// `{ handle(req, res, next?), close() }`, which mounts in node:http, Express, Connect and Fastify (its
// raw request). Every protocol (Ferry's status/append, tus 1.0, the IETF draft) sits under the mount
// path; paths it does not serve go to `next()`, or get a 404 problem. No app, no cookies unless asked.
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { OnUploadFinish } from './finish-hooks.js';
import type { UploadCreate } from './hooks.js';
import type { Authenticate } from './identity.js';
import { createLogger } from './log.js';
import { openFerry, type Ferry } from './mounted.js';

export { FerryRefusal, type UploadCreate } from './hooks.js';
export type { OnUploadFinish, UploadFinish } from './finish-hooks.js';
export { prepareServer, type Ferry } from './mounted.js';
export type { Authenticate } from './identity.js';

/** An S3-compatible object store, as STORE=s3 and the S3_* variables give it to the standalone server. */
export interface S3StoreOptions {
  kind: 's3';
  bucket: string;
  endpoint?: string;
  region?: string;
  /** Bytes in each part but the last (at least 5 MiB). */
  partSize?: number;
}

/** A duration: milliseconds, or text such as '30s', '15m', '12h', '7d'. */
export type Duration = number | string;

export interface FerryOptions {
  /** Where uploads live on this machine (the filesystem store), and the owner secret when none is given. */
  dataDir?: string;
  /** Where bytes live: 'fs' (in `dataDir`, the default) or an S3-compatible object store. */
  store?: 'fs' | S3StoreOptions;
  /** Redis, for writer locks, token changes and quotas across instances sharing one store. */
  redis?: string;
  /** The path the handler is mounted at, for node:http and frameworks that do not set req.baseUrl. */
  basePath?: string;
  /** Who a request speaks for: an owner id, or null for nobody (401). Default: the signed owner cookie, or a bearer token. */
  authenticate?: Authenticate;
  /** With the default identity: give a browser without an owner cookie a new one, as the standalone server does. */
  issueOwnerCookies?: boolean;
  /** Runs before anything of a new upload is stored; throw `new FerryRefusal(status, title)` to refuse it. */
  onUploadCreate?: (upload: UploadCreate) => unknown;
  /**
   * Called once an upload is complete and durable, at least once: a hook that throws, or whose process
   * dies before it returns, is called again (with backoff, and at the next start) until it returns.
   */
  onUploadFinish?: OnUploadFinish;
  logger?: Logger;
  /** Signs owner cookies (at least 32 characters); without it, one is kept in `dataDir`. */
  ownerSecret?: string;
  /** Origins whose pages may call the handler with a bearer token, or ['*']. */
  corsOrigins?: string[];
  maxUploadBytes?: number;
  maxOwnerBytes?: number;
  maxOwnerUploads?: number;
  maxOwnerFiles?: number;
  maxOwnerTokens?: number;
  maxOwnerAppends?: number;
  maxAppends?: number;
  minFreeBytes?: number;
  minFreeFiles?: number;
  minBodyRate?: number;
  uploadTtl?: Duration;
  sweepInterval?: Duration;
  ghostIdle?: Duration;
  socketIdle?: Duration;
  /**
   * Wake-ups by Web Push (off by default): `true`, or VAPID keys (else a pair is made and kept in
   * `dataDir`), a `subject` (mailto: or https:) and the push services pushes may go to.
   */
  push?: boolean | { publicKey?: string; privateKey?: string; subject?: string; endpoints?: string[] };
}

/** A bad option, named as the host wrote it. */
export class FerryOptionError extends Error {
  override name = 'FerryOptionError';
}

/** Each option and the environment variable it stands for in the standalone server. */
const NAMES: Record<string, string> = {
  dataDir: 'DATA_DIR', redis: 'REDIS_URL', ownerSecret: 'OWNER_SECRET', corsOrigins: 'CORS_ORIGINS',
  maxUploadBytes: 'MAX_UPLOAD_BYTES', maxOwnerBytes: 'MAX_OWNER_BYTES', maxOwnerUploads: 'MAX_OWNER_UPLOADS',
  maxOwnerFiles: 'MAX_OWNER_FILES', maxOwnerTokens: 'MAX_OWNER_TOKENS', maxOwnerAppends: 'MAX_OWNER_APPENDS',
  maxAppends: 'MAX_APPENDS', minFreeBytes: 'MIN_FREE_BYTES', minFreeFiles: 'MIN_FREE_FILES', minBodyRate: 'MIN_BODY_RATE',
  uploadTtl: 'UPLOAD_TTL', sweepInterval: 'SWEEP_INTERVAL', ghostIdle: 'GHOST_IDLE', socketIdle: 'SOCKET_IDLE',
  'push.publicKey': 'VAPID_PUBLIC_KEY', 'push.privateKey': 'VAPID_PRIVATE_KEY', 'push.subject': 'PUSH_SUBJECT', 'push.endpoints': 'PUSH_ENDPOINTS',
  'store.bucket': 'S3_BUCKET', 'store.endpoint': 'S3_ENDPOINT', 'store.region': 'S3_REGION', 'store.partSize': 'S3_PART_SIZE',
};
const DURATIONS = new Set(['uploadTtl', 'sweepInterval', 'ghostIdle', 'socketIdle']);

export async function createFerry(options: FerryOptions): Promise<Ferry> {
  const config = configOf(options);
  const { ferry } = await openFerry(config, options.logger ?? createLogger('warn'), {
    ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    hooks: { ...(options.onUploadCreate ? { onUploadCreate: options.onUploadCreate } : {}) },
    issueOwnerCookies: options.issueOwnerCookies === true,
    ...(options.onUploadFinish ? { onUploadFinish: options.onUploadFinish } : {}),
  }, options.basePath);
  return ferry;
}

/** The options as the standalone server's configuration, each checked by the same rules, and named as given when wrong. */
function configOf(options: FerryOptions): Config {
  if (options.dataDir === undefined && (options.store === undefined || options.store === 'fs')) {
    throw new FerryOptionError('createFerry needs dataDir (the directory uploads are kept in) or store (an S3 bucket)');
  }
  const env: Record<string, string> = { STORE: typeof options.store === 'object' ? options.store.kind : 'fs' };
  const set = (name: string, value: unknown) => {
    if (value === undefined) return;
    if (DURATIONS.has(name) && typeof value === 'number') value = `${value}ms`;
    else if (Array.isArray(value)) value = value.join(',');
    else if (typeof value !== 'string' && typeof value !== 'number') throw new FerryOptionError(`${name} must be a ${DURATIONS.has(name) ? 'duration' : 'number or text'}, not ${typeof value}`);
    env[NAMES[name]!] = String(value);
  };
  for (const name of Object.keys(NAMES)) {
    if (!name.includes('.')) set(name, (options as Record<string, unknown>)[name]);
  }
  env.PUSH = options.push ? '1' : '0';
  if (typeof options.push === 'object') {
    for (const key of ['publicKey', 'privateKey', 'subject', 'endpoints'] as const) set(`push.${key}`, options.push[key]);
  }
  if (typeof options.store === 'object') {
    if (options.store.kind !== 's3') throw new FerryOptionError(`store must be 'fs' or { kind: 's3', bucket }, not kind "${String(options.store.kind)}"`);
    if (!options.store.bucket) throw new FerryOptionError('store needs a bucket');
    for (const key of ['bucket', 'endpoint', 'region', 'partSize'] as const) set(`store.${key}`, options.store[key]);
  }
  if (env.DATA_DIR === undefined) env.DATA_DIR = './data';
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The environment's names, as the host wrote them.
    const message = Object.entries(NAMES).reduce((text, [option, variable]) => text.replaceAll(variable, option), error.message);
    throw new FerryOptionError(message.replace('STORE=s3', 'store s3'));
  }
}
