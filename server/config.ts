import path from 'node:path';
import { parseTarget, TargetError, type UploadTarget } from '../common/target.js';

export interface PushConfig {
  on: boolean;
  publicKey: string | undefined;
  privateKey: string | undefined;
  subject: string;
  /** Push services a subscription may name: origins, `https://*.example.com` for any subdomain. */
  endpoints: string[];
  /** An upload silent this long is pushed for, in ms. */
  afterMs: number;
}

/** The push services of Chromium, Firefox, Safari and Edge: no other endpoint is sent to (no server-side request forgery). */
export const PUSH_SERVICES = 'https://fcm.googleapis.com,https://updates.push.services.mozilla.com,https://*.push.apple.com,https://*.notify.windows.com';

export interface Config {
  port: number;
  host: string;
  /** Every byte the server keeps lives under this directory. */
  dataDir: string;
  /** Built app served at `/`; a placeholder answers when it is missing. */
  staticDir: string;
  maxUploadBytes: number;
  /** Partial uploads untouched this long are removed, in ms. */
  uploadTtlMs: number;
  /** How often the sweeper looks for expired partial uploads, in ms. */
  sweepIntervalMs: number;
  /** A connection silent this long while holding an upload is a ghost, in ms. */
  ghostIdleMs: number;
  /** A request socket with no traffic this long is closed, in ms. */
  socketIdleMs: number;
  /** Append bodies slower than this (bytes/s, averaged over 20 s) are closed; their bytes are kept. */
  minBodyRate: number;
  /** Appends one owner may have sending at once. */
  maxOwnerAppends: number;
  /** Appends open at once in all (lowered further to fit the open-file limit). */
  maxAppends: number;
  /** Bytes one owner may keep, partial and complete. */
  maxOwnerBytes: number;
  /** Partial uploads one owner may have at once. */
  maxOwnerUploads: number;
  /** Below this much free space in DATA_DIR, new uploads and tokens are refused with 507. */
  minFreeBytes: number;
  /** Below this many free inodes in DATA_DIR, likewise: every upload and token file takes some. */
  minFreeFiles: number;
  /** Completed files one owner may keep (empty ones cost files on disk, not bytes). */
  maxOwnerFiles: number;
  /** Bearer tokens one owner may hold at once. */
  maxOwnerTokens: number;
  logLevel: string;
  /** Where bytes live: this machine's DATA_DIR, or an S3-compatible object store. */
  store: { kind: 'fs' } | { kind: 's3'; endpoint: string | undefined; bucket: string; region: string; partBytes: number };
  /** Origins whose pages may call the API (with a bearer token): exact origins, or `*`. */
  corsOrigins: ReadonlySet<string>;
  /** Signs owner tokens; every instance of a cluster needs the same one. Without it, one is kept in DATA_DIR. */
  ownerSecret: string | undefined;
  /** Redis coordinates writers across instances; without it the lock is in-process. */
  redisUrl: string | undefined;
  /** Where the app's uploads go: this server (the default), or a tus or IETF-draft server. */
  uploadTarget: UploadTarget;
  /** Told of every finished upload (POST JSON, at least once). */
  hookUrl: string | undefined;
  /** Asked before an upload is created; a non-2xx answer refuses it with that status. */
  hookCreateUrl: string | undefined;
  /** Signs hook requests (Ferry-Signature: sha256=<hex HMAC-SHA256 of the body>). */
  hookSecret: string | undefined;
  /** Wake-ups by Web Push (PUSH=1): VAPID keys (else made and kept in DATA_DIR), who to contact, where pushes may go. */
  push: PushConfig;
  /** Serve /metrics on the main port (METRICS=1). */
  metrics: boolean;
  /** Serve /metrics on this port of HOST instead, and not on the main one. */
  metricsPort: number | undefined;
}

const MiB = 1024 ** 2;

const GiB = 1024 ** 3;

export const defaults = {
  PORT: '8080',
  HOST: '127.0.0.1',
  DATA_DIR: './data',
  STATIC_DIR: './dist',
  MAX_UPLOAD_BYTES: String(64 * GiB),
  UPLOAD_TTL: '7d',
  SWEEP_INTERVAL: '1h',
  GHOST_IDLE: '2s',
  SOCKET_IDLE: '120s',
  MIN_BODY_RATE: '1024',
  MAX_OWNER_APPENDS: '32',
  MAX_APPENDS: '1024',
  MAX_OWNER_BYTES: String(128 * GiB),
  MAX_OWNER_UPLOADS: '32',
  MIN_FREE_BYTES: String(GiB),
  MIN_FREE_FILES: '10000',
  MAX_OWNER_TOKENS: '100',
  MAX_OWNER_FILES: '10000',
  LOG_LEVEL: 'info',
  STORE: 'fs',
  S3_ENDPOINT: '',
  S3_BUCKET: '',
  S3_REGION: 'us-east-1',
  S3_PART_SIZE: String(8 * MiB),
  REDIS_URL: '',
  OWNER_SECRET: '',
  CORS_ORIGINS: '',
  UPLOAD_TARGET: 'ferry',
  HOOK_URL: '',
  HOOK_CREATE_URL: '',
  HOOK_SECRET: '',
  PUSH: '1',
  VAPID_PUBLIC_KEY: '',
  VAPID_PRIVATE_KEY: '',
  PUSH_SUBJECT: 'mailto:ferry@localhost',
  PUSH_ENDPOINTS: PUSH_SERVICES,
  PUSH_AFTER: '30s',
  METRICS: '0',
  METRICS_PORT: '',
} as const;

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function loadConfig(env: Env = process.env): Config {
  const get = (name: keyof typeof defaults): string => env[name]?.trim() || defaults[name];
  return {
    port: integer('PORT', get('PORT'), 0, 65535),
    host: get('HOST'),
    dataDir: path.resolve(get('DATA_DIR')),
    staticDir: path.resolve(get('STATIC_DIR')),
    maxUploadBytes: integer('MAX_UPLOAD_BYTES', get('MAX_UPLOAD_BYTES'), 1, Number.MAX_SAFE_INTEGER),
    uploadTtlMs: duration('UPLOAD_TTL', get('UPLOAD_TTL')),
    sweepIntervalMs: duration('SWEEP_INTERVAL', get('SWEEP_INTERVAL')),
    ghostIdleMs: duration('GHOST_IDLE', get('GHOST_IDLE')),
    socketIdleMs: duration('SOCKET_IDLE', get('SOCKET_IDLE')),
    minBodyRate: integer('MIN_BODY_RATE', get('MIN_BODY_RATE'), 0, Number.MAX_SAFE_INTEGER),
    maxOwnerAppends: integer('MAX_OWNER_APPENDS', get('MAX_OWNER_APPENDS'), 1, 1_000_000),
    maxAppends: integer('MAX_APPENDS', get('MAX_APPENDS'), 1, 1_000_000),
    maxOwnerBytes: integer('MAX_OWNER_BYTES', get('MAX_OWNER_BYTES'), 1, Number.MAX_SAFE_INTEGER),
    maxOwnerUploads: integer('MAX_OWNER_UPLOADS', get('MAX_OWNER_UPLOADS'), 1, 1_000_000),
    minFreeBytes: integer('MIN_FREE_BYTES', get('MIN_FREE_BYTES'), 0, Number.MAX_SAFE_INTEGER),
    minFreeFiles: integer('MIN_FREE_FILES', get('MIN_FREE_FILES'), 0, Number.MAX_SAFE_INTEGER),
    maxOwnerFiles: integer('MAX_OWNER_FILES', get('MAX_OWNER_FILES'), 1, 100_000_000),
    maxOwnerTokens: integer('MAX_OWNER_TOKENS', get('MAX_OWNER_TOKENS'), 1, 1_000_000),
    logLevel: get('LOG_LEVEL'),
    store: storeConfig(get),
    redisUrl: get('REDIS_URL') || undefined,
    ownerSecret: ownerSecretOf(get('OWNER_SECRET')),
    corsOrigins: new Set(get('CORS_ORIGINS').split(',').map((origin) => origin.trim()).filter(Boolean)),
    uploadTarget: uploadTargetOf(get('UPLOAD_TARGET')),
    hookUrl: hookUrlOf('HOOK_URL', get('HOOK_URL')),
    hookCreateUrl: hookUrlOf('HOOK_CREATE_URL', get('HOOK_CREATE_URL')),
    hookSecret: get('HOOK_SECRET') || undefined,
    push: pushConfig(get),
    metrics: flag('METRICS', get('METRICS')),
    metricsPort: get('METRICS_PORT') === '' ? undefined : integer('METRICS_PORT', get('METRICS_PORT'), 0, 65535),
  };
}

function pushConfig(get: (name: keyof typeof defaults) => string): PushConfig {
  const subject = get('PUSH_SUBJECT');
  if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) throw new ConfigError(`PUSH_SUBJECT must be a mailto: or https: URL, got "${subject}"`);
  const [publicKey, privateKey] = [get('VAPID_PUBLIC_KEY') || undefined, get('VAPID_PRIVATE_KEY') || undefined];
  if ((publicKey === undefined) !== (privateKey === undefined)) throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both, or neither (then a pair is made and kept in DATA_DIR)');
  return { on: flag('PUSH', get('PUSH')), publicKey, privateKey, subject, endpoints: get('PUSH_ENDPOINTS').split(',').map((origin) => origin.trim()).filter(Boolean), afterMs: duration('PUSH_AFTER', get('PUSH_AFTER')) };
}

function flag(name: string, raw: string): boolean {
  if (raw !== '0' && raw !== '1') throw new ConfigError(`${name} must be 0 or 1, got "${raw}"`);
  return raw === '1';
}

function hookUrlOf(name: string, raw: string): string | undefined {
  if (raw === '') return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new ConfigError(`${name} must be an http or https URL, got "${raw}"`);
  return raw;
}

function uploadTargetOf(raw: string): UploadTarget {
  try {
    return parseTarget(raw);
  } catch (error) {
    if (error instanceof TargetError) throw new ConfigError(`UPLOAD_TARGET: ${error.message}`);
    throw error;
  }
}

function ownerSecretOf(raw: string): string | undefined {
  if (raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError('OWNER_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)');
  return raw;
}

function storeConfig(get: (name: keyof typeof defaults) => string): Config['store'] {
  const kind = get('STORE');
  if (kind === 'fs') return { kind };
  if (kind !== 's3') throw new ConfigError(`STORE must be fs or s3, got "${kind}"`);
  const bucket = get('S3_BUCKET');
  if (!bucket) throw new ConfigError('STORE=s3 needs S3_BUCKET');
  return {
    kind,
    endpoint: get('S3_ENDPOINT') || undefined,
    bucket,
    region: get('S3_REGION'),
    // S3 refuses parts under 5 MiB, except the last.
    partBytes: integer('S3_PART_SIZE', get('S3_PART_SIZE'), 5 * MiB, 5 * 1024 * MiB),
  };
}

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return value;
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "30s", "15m", "12h", "7d"; a bare number means seconds. */
export function duration(name: string, raw: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} must be a duration such as 30s, 15m, 12h or 7d, got "${raw}"`);
  const ms = Number(match[1]) * unitMs[match[2] ?? 's']!;
  if (ms <= 0) throw new ConfigError(`${name} must be longer than zero`);
  return ms;
}
