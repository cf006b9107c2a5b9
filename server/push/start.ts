// The push side of a server (issue 33), built once at start-up when push is on.
import type { Logger } from 'pino';
import type { PushConfig } from '../config.js';
import type { UploadStore } from '../store/port.js';
import { pushKeys, sendPush, type PushKeys } from './sender.js';
import { Wakeups } from './wakeups.js';

/** How often silent uploads are looked at. */
const TICK_MS = 5000;

export interface PushParts {
  keys: PushKeys;
  wakeups: Wakeups;
  /** Whether a subscription's endpoint is a push service this server sends to. */
  allowed(endpoint: string): boolean;
}

export async function startPush(config: PushConfig, dataDir: string, store: UploadStore, log: Logger, tickMs = TICK_MS): Promise<{ parts: PushParts; stop(): void }> {
  const keys = await pushKeys(config, dataDir);
  const allowed = endpointFilter(config.endpoints);
  const wakeups = new Wakeups({
    subscriptionOf: async (owner) => {
      const subscription = await store.readPushSubscription(owner);
      return subscription && allowed(subscription.endpoint) ? subscription : undefined;
    },
    send: (subscription, payload) => sendPush(keys, subscription, payload),
    forget: (owner) => store.writePushSubscription(owner, undefined),
    now: () => Date.now(),
    log,
    silentMs: config.afterMs,
  });
  const timer = setInterval(() => void wakeups.tick(), Math.min(tickMs, config.afterMs));
  timer.unref();
  return { parts: { keys, wakeups, allowed }, stop: () => clearInterval(timer) };
}

/** `https://fcm.googleapis.com` matches that origin; `https://*.push.apple.com` any subdomain of it. */
export function endpointFilter(patterns: string[]): (endpoint: string) => boolean {
  return (endpoint) => {
    if (!URL.canParse(endpoint)) return false;
    const url = new URL(endpoint);
    return patterns.some((pattern) => {
      const wild = /^(\w+:)\/\/\*\.(.+)$/.exec(pattern);
      if (!wild) return url.origin === pattern.replace(/\/+$/, '');
      return url.protocol === wild[1] && url.host.endsWith(`.${wild[2]}`);
    });
  };
}
