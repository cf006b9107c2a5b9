// /push-subscriptions: the server's VAPID public key (GET), the owner's subscription (POST replaces it,
// DELETE removes it). A subscription is never read back over HTTP, so no other owner can see it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { badRequest } from '../errors.js';
import type { PushSubscriptionRecord } from '../store/port.js';
import { sendJson } from '../respond.js';

const MAX_BODY = 4096;

export async function pushKey(ctx: AppContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { publicKey: ctx.push!.keys.publicKey });
}

export async function savePushSubscription(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const owner = await ctx.identify(req, res);
  const subscription = subscriptionOf(await readSmallBody(req));
  // Only push services: an endpoint of the owner's choosing would have this server POST anywhere.
  if (!ctx.push!.allowed(subscription.endpoint)) throw badRequest(`${new URL(subscription.endpoint).origin} is not a push service this server sends to`);
  await ctx.store.writePushSubscription(owner, subscription);
  res.writeHead(204).end();
}

export async function deletePushSubscription(ctx: AppContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await ctx.store.writePushSubscription(await ctx.identify(req, res), undefined);
  res.writeHead(204).end();
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_BODY) throw badRequest(`a push subscription is JSON of at most ${MAX_BODY} bytes`);
  }
  return text;
}

/** PushSubscription.toJSON(), checked: an https endpoint and both keys. */
function subscriptionOf(text: string): PushSubscriptionRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('a push subscription must be JSON: PushSubscription.toJSON()');
  }
  const { endpoint, keys } = (value ?? {}) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  const base64url = (key: unknown) => typeof key === 'string' && /^[\w-]{16,200}$/.test(key);
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) throw badRequest('a push subscription needs an http(s) endpoint');
  if (!base64url(keys?.p256dh) || !base64url(keys?.auth)) throw badRequest('a push subscription needs keys.p256dh and keys.auth (base64url)');
  return { endpoint, keys: { p256dh: keys!.p256dh as string, auth: keys!.auth as string } };
}
