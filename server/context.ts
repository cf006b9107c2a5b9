import type { Logger } from 'pino';
import type { AppendSlots } from './append-slots.js';
import type { Config } from './config.js';
import type { FinishHooks } from './finish-hooks.js';
import type { Hooks } from './hooks.js';
import type { Identify } from './identity.js';
import type { Metrics } from './metrics.js';
import type { Owners } from './owner.js';
import type { PushParts } from './push/start.js';
import type { QuotaLedger } from './quota-ledger.js';
import type { Tokens } from './tokens.js';
import type { UploadStore } from './store/port.js';
import type { Writers } from './writers.js';

/** Everything a route needs, built once at start-up. */
export interface AppContext {
  config: Config;
  store: UploadStore;
  writers: Writers;
  /** Caps on appends open at once, per owner and in all. */
  slots: AppendSlots;
  /** The browser owners of the standalone server (cookies, tokens); a mounted handler with its own `authenticate` has none. */
  owners: Owners;
  /** The default identity (owner cookie, bearer tokens) is in use, so /tokens is served; false under a host's `authenticate`. */
  cookieOwners: boolean;
  /** Who a request speaks for: the one identity function (identity.ts). */
  identify: Identify;
  /** The host's hooks, when mounted as a library. */
  hooks: Hooks;
  /** The host's onUploadFinish, delivered at least once (finish-hooks.ts); absent without one. */
  finish?: FinishHooks;
  tokens: Tokens;
  /** What owners' uploads grew by, for bodies of no stated size (in-process, or Redis in a cluster). */
  ledger: QuotaLedger;
  /** Wake-ups by Web Push, when on (push/start.ts). */
  push?: PushParts;
  /** What an operator can watch (metrics.ts). */
  metrics: Metrics;
  log: Logger;
}

/** Fields a route adds to its request's single log line. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** The writer lock key of one owner's upload. */
export const uploadKey = (owner: string, id: string): string => `${owner}\n${id}`;
