// installFerry's options, checked at install: a wrong one throws a sentence naming it, before any upload is touched.
import { CONCURRENCY_CHOICES } from '../../common/messages.js';
import { Route } from '../../common/protocol.js';
import { parseTarget, TargetError, type UploadTarget } from '../../common/target.js';

export interface FerryWorkerOptions {
  /**
   * Where uploads go when the page names no target: `ferry` (Ferry at the worker's origin, the default),
   * `ferry:<base-url>` (a Ferry server mounted there), `tus:<url>`, `ietf:<url>` or `ietf@<n>:<url>`.
   * Relative URLs are resolved against the worker's origin.
   */
  target?: string;
  /** The IndexedDB database the uploads are kept in (default `ferry`). Hosts with two names never see each other's uploads. */
  databaseName?: string;
  /** A notification when an upload ends with no page open: `false` for none, else its icon and the URL a click opens. */
  notifications?: false | { icon?: string; url?: string };
  /** Uploads at once, until a page chooses (default 3). */
  concurrency?: number;
  /** Days a picked file is kept in the browser unless it is uploaded first (default 7). */
  retentionDays?: number;
  /**
   * Wake-ups by Web Push: `false` for none, or where Ferry's server takes the subscription (default: its
   * `/push-subscriptions` when the target is a Ferry server; no push for tus and IETF targets).
   */
  push?: false | { subscriptions?: string };
  /**
   * Told what woke the worker and each change of an upload's state (never each byte), for the host's
   * own logging. Called synchronously, about three times a file: a console call each is a message to the
   * browser, so Ferry's app gathers a burst into one `console.debug` (sw/sw.ts). Default: silent.
   */
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

export interface ResolvedWorkerOptions {
  target: string;
  databaseName: string;
  /** `url`: absent means the worker's scope. */
  notifications: false | { icon?: string; url?: string };
  concurrency: number;
  retentionMs: number;
  push: false | { subscriptions: string };
  log: (message: string, detail?: Record<string, unknown>) => void;
}

const KNOWN = ['target', 'databaseName', 'notifications', 'concurrency', 'retentionDays', 'push', 'log'];
const DAY_MS = 24 * 3600 * 1000;

export class FerryOptionError extends Error {
  override name = 'FerryOptionError';
}

/** The options with their defaults, or a FerryOptionError naming the one that is wrong. */
export function resolveWorkerOptions(options: FerryWorkerOptions | undefined, origin: string): ResolvedWorkerOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new FerryOptionError('installFerry(options): options must be an object');
  const given = options ?? {};
  for (const key of Object.keys(given)) {
    if (!KNOWN.includes(key)) throw new FerryOptionError(`installFerry: unknown option "${key}"; the options are ${KNOWN.join(', ')}`);
  }
  const { target = 'ferry', databaseName = 'ferry', notifications = {}, concurrency = 3, retentionDays = 7, push, log = () => {} } = given;
  if (typeof log !== 'function') throw new FerryOptionError('installFerry: log must be a function (message, detail) => void');
  if (typeof target !== 'string') throw new FerryOptionError('installFerry: target must be a string such as "tus:/files/"');
  let parsed: UploadTarget;
  try {
    parsed = parseTarget(target, origin);
  } catch (error) {
    if (error instanceof TargetError) throw new FerryOptionError(`installFerry: target: ${error.message}`);
    throw error;
  }
  if (typeof databaseName !== 'string' || databaseName.trim() === '') throw new FerryOptionError('installFerry: databaseName must be a non-empty string');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > Math.max(...CONCURRENCY_CHOICES)) {
    throw new FerryOptionError(`installFerry: concurrency must be a whole number from 1 to ${Math.max(...CONCURRENCY_CHOICES)}, got ${String(concurrency)}`);
  }
  if (typeof retentionDays !== 'number' || !(retentionDays > 0) || !Number.isFinite(retentionDays)) throw new FerryOptionError(`installFerry: retentionDays must be a positive number of days, got ${String(retentionDays)}`);
  return { target, databaseName, notifications: notificationsOf(notifications), concurrency, retentionMs: retentionDays * DAY_MS, push: pushOf(push, parsed, origin), log };
}

function pushOf(value: unknown, target: UploadTarget, origin: string): ResolvedWorkerOptions['push'] {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) throw new FerryOptionError('installFerry: push must be false, or { subscriptions? }');
  const { subscriptions, ...rest } = (value ?? {}) as { subscriptions?: unknown };
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new FerryOptionError(`installFerry: push has no option "${extra}"; it takes subscriptions`);
  if (subscriptions !== undefined && typeof subscriptions !== 'string') throw new FerryOptionError('installFerry: push.subscriptions must be a URL string');
  if (subscriptions !== undefined) return { subscriptions: new URL(subscriptions, origin).href };
  // Only Ferry's own server pushes.
  return target.protocol === 'ferry' ? { subscriptions: new URL(`${target.base ?? ''}${Route.pushSubscriptions}`, origin).href } : false;
}

function notificationsOf(value: unknown): ResolvedWorkerOptions['notifications'] {
  if (value === false) return false;
  if (typeof value !== 'object' || value === null) throw new FerryOptionError('installFerry: notifications must be false, or { icon?, url? }');
  const { icon, url, ...rest } = value as { icon?: unknown; url?: unknown };
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new FerryOptionError(`installFerry: notifications has no option "${extra}"; it takes icon and url`);
  if (icon !== undefined && typeof icon !== 'string') throw new FerryOptionError('installFerry: notifications.icon must be a URL string');
  if (url !== undefined && typeof url !== 'string') throw new FerryOptionError('installFerry: notifications.url must be a URL string');
  return { ...(icon === undefined ? {} : { icon }), ...(url === undefined ? {} : { url }) };
}
