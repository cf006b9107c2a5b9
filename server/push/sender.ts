// The server's VAPID keys (RFC 8292) and the one call that sends a push: encryption (RFC 8291) and
// the VAPID JWT are web-push's, not ours. The keys come from VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY, or are
// made once and kept in DATA_DIR (every instance of a cluster needs the same: set them there).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PushSubscriptionRecord } from '../store/port.js';

export interface PushKeys {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:`: who push services may contact about these pushes. */
  subject: string;
}

const KEYS_FILE = 'vapid.json';
/** A push older than this is not worth delivering: a later one will come. */
const TTL_SECONDS = 120;
const SEND_TIMEOUT_MS = 10_000;

type WebPush = typeof import('web-push');
let loaded: Promise<WebPush> | undefined;
/** web-push is loaded only by a server that pushes: a host that imports only the browser parts never needs it. */
const webPush = (): Promise<WebPush> => (loaded ??= import('web-push').then((module) => (module as { default?: WebPush }).default ?? module));

export async function pushKeys(configured: { publicKey?: string; privateKey?: string; subject: string }, dataDir: string): Promise<PushKeys> {
  if (configured.publicKey && configured.privateKey) return { publicKey: configured.publicKey, privateKey: configured.privateKey, subject: configured.subject };
  const file = path.join(dataDir, KEYS_FILE);
  const kept = await readFile(file, 'utf8').then((text) => JSON.parse(text) as Omit<PushKeys, 'subject'>, () => undefined);
  if (kept?.publicKey && kept.privateKey) return { ...kept, subject: configured.subject };
  const made = (await webPush()).generateVAPIDKeys();
  await mkdir(dataDir, { recursive: true });
  // 'wx': two instances starting at once on one DATA_DIR keep the first one's keys.
  await writeFile(file, JSON.stringify(made), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  const chosen = JSON.parse(await readFile(file, 'utf8')) as Omit<PushKeys, 'subject'>;
  return { publicKey: chosen.publicKey, privateKey: chosen.privateKey, subject: configured.subject };
}

/**
 * Send `payload`; false when the push service says the subscription is gone (404 or 410). web-push makes
 * the request (the aes128gcm body and the VAPID header); it is sent with fetch, which also speaks plain
 * http to a push service on loopback in tests.
 */
export async function sendPush(keys: PushKeys, subscription: PushSubscriptionRecord, payload: string): Promise<boolean> {
  const details = (await webPush()).generateRequestDetails(subscription, payload, {
    vapidDetails: { subject: keys.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
    TTL: TTL_SECONDS,
    urgency: 'high',
    contentEncoding: 'aes128gcm',
  });
  const headers = Object.fromEntries(Object.entries(details.headers).map(([name, value]) => [name, String(value)]));
  const response = await fetch(details.endpoint, { method: details.method, headers, body: details.body as unknown as Uint8Array, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  await response.body?.cancel();
  if (response.status === 404 || response.status === 410) return false;
  if (!response.ok) throw new Error(`the push service answered ${response.status}`);
  return true;
}
