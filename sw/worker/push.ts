// Wake-ups by Web Push (docs/worker.md): the worker subscribes once notifications are allowed and gives
// the subscription to Ferry's server, which pushes "continue" while an upload of its owner has been
// silent. Chromium needs a push service to subscribe (FCM); where there is none, subscribing fails and
// uploads keep the Background Sync windows only.
import type { ResolvedWorkerOptions } from './options.js';

declare const self: ServiceWorkerGlobalScope;

export class PushLink {
  /** The subscription the server has, by endpoint; undefined until it took one. */
  private given: string | undefined;
  private trying: Promise<void> | undefined;
  /** The server has no push (404 for its key): not asked again in this worker's life. */
  private unsupported = false;

  constructor(private readonly options: ResolvedWorkerOptions['push']) {}

  /** Whether a push may wake this worker: push is configured and the server holds our subscription. */
  async active(): Promise<boolean> {
    if (this.options === false || this.given === undefined) return false;
    return (await self.registration.pushManager?.getSubscription().catch(() => null))?.endpoint === this.given;
  }

  /** Subscribe and tell the server, once notifications are allowed; cheap to call on every page message. */
  ensure(): Promise<void> {
    if (this.options === false || this.unsupported || !self.registration.pushManager) return Promise.resolve();
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return Promise.resolve();
    this.trying ??= this.subscribe(false).finally(() => (this.trying = undefined));
    return this.trying;
  }

  /** The browser replaced our subscription (`pushsubscriptionchange`): give the server the new one. */
  renew(): Promise<void> {
    return this.options === false ? Promise.resolve() : this.subscribe(true);
  }

  private async subscribe(again: boolean): Promise<void> {
    if (this.options === false) return;
    const url = this.options.subscriptions;
    const current = await self.registration.pushManager.getSubscription().catch(() => null);
    if (!again && current && current.endpoint === this.given) return;
    const answer = await fetch(url, { credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
    if (answer?.status === 404) this.unsupported = true;
    if (!answer?.ok) return;
    const { publicKey } = (await answer.json()) as { publicKey: string };
    const key = fromBase64Url(publicKey);
    // A subscription made for another key (the server's keys were replaced) cannot carry its pushes.
    const sameKey = current?.options.applicationServerKey && equalBytes(new Uint8Array(current.options.applicationServerKey), key);
    if (current && !sameKey) await current.unsubscribe().catch(() => false);
    const subscription = current && sameKey ? current : await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }).catch(() => null);
    if (!subscription) return;
    const posted = await fetch(url, {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(subscription.toJSON()),
    }).catch(() => undefined);
    if (posted?.ok) this.given = subscription.endpoint;
  }
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
