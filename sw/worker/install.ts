// installFerry: Ferry's engine inside any service worker. It adds Ferry's listeners (page messages,
// Background Sync, notification clicks) and nothing else: precaching, skipWaiting, clients.claim and
// fetch handlers are the host's.
import type { WorkerMessage } from '../../common/messages.js';
import { Engine, type EngineEvent } from '../engine/engine.js';
import { protocolsOver } from '../engine/protocols/for-target.js';
import { QueueStore } from '../store/queue-store.js';
import { answer } from './answer.js';
import { PagePost } from './page-post.js';
import { notifyEnd, onNotificationClick } from './notify.js';
import { PAUSED_TAG, PROGRESS_TAG, ProgressNotice } from './progress-notice.js';
import { PushLink } from './push.js';
import { resolveWorkerOptions, type FerryWorkerOptions } from './options.js';
import { readPageMessage } from './page-messages.js';

declare const self: ServiceWorkerGlobalScope;

export type { FerryWorkerOptions } from './options.js';
export { FerryOptionError } from './options.js';

const SYNC_TAG = 'ferry-uploads';
// docs/design.md §3.8: Chromium kills a worker ~5 min after an event began, so no event holds the
// upload for long. Each holds this lease, and open pages send a heartbeat every 25 s.
const LEASE_MS = 60_000;
// A sync event lasts about 3 minutes; give it back before that, unfinished if need be. A push the same.
const SYNC_LEASE_MS = 150_000;

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  /** The browser will not fire this sync again (Chromium: after the third try). */
  readonly lastChance?: boolean;
}
type WithSync = ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } };

/** Call once, at the top level of the service worker (listeners must be added in its first run). */
export function installFerry(options?: FerryWorkerOptions): void {
  if (typeof ServiceWorkerGlobalScope === 'undefined' || !(self instanceof ServiceWorkerGlobalScope)) {
    throw new Error('installFerry must be called in a service worker, at its top level');
  }
  const settings = resolveWorkerOptions(options, self.location.origin);
  const store = QueueStore.open(settings.databaseName, { concurrency: settings.concurrency, digests: true });
  const engine = store.then(async (queue) => {
    const { concurrency, digests } = await queue.settings();
    const protocols = protocolsOver((url, init) => fetch(url, init), self.location.origin, settings.target);
    return new Engine({ protocols, store: queue, emit, concurrency, digests, retentionMs: settings.retentionMs, online: () => self.navigator.onLine });
  });
  const language = async () => (await (await store).settings()).language ?? 'en';
  const progress = settings.notifications ? new ProgressNotice(settings.notifications, { snapshot: async () => (await engine).snapshot(), language }) : undefined;
  const push = new PushLink(settings.push);

  const { log } = settings;
  const pages = new PagePost<WorkerMessage>(() => self.clients.matchAll({ type: 'window', includeUncontrolled: true }));
  const states = new Map<string, string>();

  function emit(event: EngineEvent): void {
    if (event.type === 'removed') {
      states.delete(event.id); // a worker that lives for days forgets what it no longer holds
      log('ferry: removed', { id: event.id });
    } else if (states.get(event.upload.id) !== event.upload.state) {
      states.set(event.upload.id, event.upload.state);
      log(`ferry: ${event.upload.state}`, { id: event.upload.id, offset: event.upload.offset, size: event.upload.size });
    }
    const message: WorkerMessage = event.type === 'changed' ? { type: 'ferry:update', upload: event.upload } : { type: 'ferry:removed', id: event.id };
    // An upload waiting for the network should be woken by the browser even if every tab closes.
    // So should a cancel the server has not heard yet (a removal may leave one pending).
    if ((event.type === 'changed' && event.upload.state === 'waiting-for-network') || event.type === 'removed') void requestSync();
    // Nobody is watching: an upload that ends says so itself, and one notification says where the rest are.
    const notifications = settings.notifications;
    const unwatched = event.type === 'changed' && notifications ? async () => {
      const say = async () => notifyEnd(event.upload, await language(), notifications);
      const { state } = event.upload;
      if (state === 'done' || state === 'failed') await (progress ? progress.ended(say) : say());
      else progress?.changed();
    } : undefined;
    pages.post(message, unwatched);
  }

  /** Run the engine, holding the event open for at most `ms`; `sweep` forces a look at every record first. */
  function lease(ms: number, sweep = false): Promise<unknown> {
    return Promise.race([engine.then((running) => running.kick(sweep)), sleep(ms)]);
  }

  /**
   * A wake the browser gave us with no page open (a sync, a push): run the engine for `ms`, and if work
   * is left with nothing to wake us again (the last sync, or no push), leave the last word. True when
   * work is left.
   */
  async function unattended(ms: number, lastChance: boolean): Promise<boolean> {
    const outcome = await lease(ms, true);
    const left = outcome === 'lease-over' && (await (await engine).hasPending());
    const watched = (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).length > 0;
    if (left && !watched && (lastChance || !(await push.active()))) await progress?.lastWord();
    return left;
  }

  /** Ask for a Background Sync while uploads are pending, so the browser wakes us with no page open. */
  async function requestSync(): Promise<void> {
    const { sync } = self.registration as WithSync;
    if (sync && (await (await engine).hasPending())) await sync.register(SYNC_TAG).catch(() => undefined);
  }

  self.addEventListener('message', (event) => {
    const message = readPageMessage(event.data);
    if ('type' in message && message.type !== 'ferry:heartbeat') log(`ferry: woken by ${message.type}`);
    // Another library's message, on the same worker: not ours to answer.
    if ('refused' in message && !isOurs(event.data)) return;
    const reply = (value: unknown) => event.ports[0]?.postMessage(value);
    if ('refused' in message) {
      reply({ ok: false, error: message.refused });
      return;
    }
    // A page is open: it shows the uploads itself.
    if (message.type === 'ferry:hello') void closeNotifications([PROGRESS_TAG, PAUSED_TAG]);
    // Notifications may have been allowed since: subscribe to pushes then.
    void push.ensure();
    const answered = Promise.all([engine, store])
      .then(([running, queue]) => answer(message, running, queue, requestSync))
      .then(reply, (error: unknown) => reply({ ok: false, error: String(error) }));
    event.waitUntil(answered.then(() => lease(LEASE_MS)));
  });

  self.addEventListener('sync', (event) => {
    const sync = event as SyncEvent;
    if (sync.tag !== SYNC_TAG) return;
    log('ferry: woken by sync', { lastChance: sync.lastChance === true });
    // Rejecting tells the browser the work is unfinished, so it fires the sync again later.
    sync.waitUntil(unattended(SYNC_LEASE_MS, sync.lastChance === true).then((left) => {
      if (left) throw new Error('uploads still pending');
    }));
  });

  // A push from the server ("continue"): Chromium wants a notification for each, so progress is shown first.
  self.addEventListener('push', (event) => {
    log('ferry: woken by push');
    event.waitUntil(Promise.all([progress?.show(), unattended(SYNC_LEASE_MS, false)]));
  });
  self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(push.renew()));

  self.addEventListener('notificationclick', (event) => onNotificationClick(event, async () => {
    const running = await engine;
    for (const upload of await running.snapshot()) if (upload.state === 'queued' || upload.state === 'uploading' || upload.state === 'waiting-for-network') await running.pause(upload.id);
    await progress?.lastWord();
  }));
  // Activation (a first install, or an update taking over) resumes the stored queue too.
  self.addEventListener('activate', (event) => {
    log('ferry: activated');
    event.waitUntil(lease(LEASE_MS));
  });
  // Waking for any reason resumes the stored queue.
  log('ferry: worker started');
  void lease(LEASE_MS);
}

function isOurs(data: unknown): boolean {
  const type = (data as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('ferry:');
}

async function closeNotifications(tags: string[]): Promise<void> {
  for (const tag of tags) for (const notification of await self.registration.getNotifications({ tag }).catch(() => [])) notification.close();
}

const sleep = (ms: number) => new Promise<'lease-over'>((resolve) => setTimeout(() => resolve('lease-over'), ms));
