/// <reference lib="webworker" />
// The service worker: precaches the app shell, and runs the upload engine from
// IndexedDB whenever it wakes (start, any page message, Background Sync).
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { describe, translate, type Language } from '../common/i18n/catalogue.js';
import type { PageMessage, UploadView, WorkerMessage } from '../common/messages.js';
import { Engine } from './engine/engine.js';
import { protocolsOver } from './engine/protocols/for-target.js';
import { readPageMessage } from './page-messages.js';
import { QueueStore } from './store/queue-store.js';

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

const SYNC_TAG = 'ferry-uploads';
// docs/design.md §3.8: Chromium kills a worker ~5 min after an event began, so no event holds the
// upload for long. Each holds this lease, and open pages send a heartbeat every 25 s.
const LEASE_MS = 60_000;
// A sync event lasts about 3 minutes; give it back before that, unfinished if need be.
const SYNC_LEASE_MS = 150_000;

const store = QueueStore.open();
const engine = store.then(async (queue) => {
  const { concurrency, digests } = await queue.settings();
  return new Engine({ protocols: protocolsOver((url, init) => fetch(url, init)), store: queue, broadcast, concurrency, digests, online: () => self.navigator.onLine });
});

function broadcast(message: WorkerMessage): void {
  // An upload waiting for the network should be woken by the browser even if every tab closes.
  // So should a cancel the server has not heard yet (a removal may leave one pending).
  if ((message.type === 'ferry:update' && message.upload.state === 'waiting-for-network') || message.type === 'ferry:removed') void requestSync();
  void self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (pages) => {
    for (const page of pages) page.postMessage(message);
    // Nobody is watching: an upload that ends says so itself.
    if (pages.length === 0 && message.type === 'ferry:update') await notifyEnd(message.upload, (await (await store).settings()).language ?? 'en');
  });
}

/** A notification for an upload that finished or failed with no page open; tagged by upload, so it is shown once. */
async function notifyEnd(upload: UploadView, language: Language): Promise<void> {
  if (upload.state !== 'done' && upload.state !== 'failed') return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = translate(language, upload.state === 'done' ? 'notify.done' : 'notify.failed', { name: upload.name });
  const body = upload.notice ? describe(language, upload.notice) : translate(language, 'notify.openApp');
  await self.registration.showNotification(title, { body, tag: `ferry:${upload.id}`, icon: '/icons/icon-192.png', lang: language, data: { url: '/' } }).catch(() => undefined);
}

// A click on a notification brings the app forward, or opens it.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((pages) => {
    const open = pages[0];
    return open ? open.focus() : self.clients.openWindow('/');
  }));
});

const sleep = (ms: number) => new Promise<'lease-over'>((resolve) => setTimeout(() => resolve('lease-over'), ms));

/** Run the engine, holding the event open for at most `ms`; `sweep` forces a look at every record first. */
function lease(ms: number, sweep = false): Promise<unknown> {
  return Promise.race([engine.then((running) => running.kick(sweep)), sleep(ms)]);
}

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}
type WithSync = ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } };

/** Ask for a Background Sync while uploads are pending, so the browser wakes us with no page open. */
async function requestSync(): Promise<void> {
  const { sync } = self.registration as WithSync;
  if (sync && (await (await engine).hasPending())) await sync.register(SYNC_TAG).catch(() => undefined);
}

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim().then(() => lease(LEASE_MS)));
});

self.addEventListener('message', (event) => {
  const message = readPageMessage(event.data);
  const reply = (value: unknown) => event.ports[0]?.postMessage(value);
  if (!message) {
    reply({ ok: false, error: 'unknown message' });
    return;
  }
  const answered = handle(message).then(reply, (error: unknown) => reply({ ok: false, error: String(error) }));
  event.waitUntil(answered.then(() => lease(LEASE_MS)));
});

async function handle(message: PageMessage): Promise<unknown> {
  const running = await engine;
  switch (message.type) {
    case 'ferry:hello':
      return running.snapshot();
    case 'ferry:enqueue': {
      const answers = await running.enqueue(message.files, message.target);
      if (answers.some((answer) => answer.ok)) void requestSync();
      return answers;
    }
    case 'ferry:pause':
      return running.pause(message.id);
    case 'ferry:resume':
      return running.resume(message.id);
    case 'ferry:cancel':
      return running.cancel(message.id);
    case 'ferry:retry':
      return running.retry(message.id);
    case 'ferry:clear-finished':
      return running.clearFinished();
    case 'ferry:get-settings':
      return (await store).settings();
    case 'ferry:set-concurrency':
      await (await store).updateSettings({ concurrency: message.value });
      running.setConcurrency(message.value);
      return undefined;
    case 'ferry:set-language':
      // Every page says it on opening: write only a change.
      if ((await (await store).settings()).language !== message.value) await (await store).updateSettings({ language: message.value });
      return undefined;
    case 'ferry:set-digests':
      await (await store).updateSettings({ digests: message.value });
      running.setDigests(message.value);
      return undefined;
    case 'ferry:online':
      running.wake();
      return undefined;
    case 'ferry:heartbeat':
      return undefined;
  }
}

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== SYNC_TAG) return;
  // Rejecting tells the browser the work is unfinished, so it fires the sync again later.
  sync.waitUntil(lease(SYNC_LEASE_MS, true).then(async (outcome) => {
    if (outcome === 'lease-over' && (await (await engine).hasPending())) throw new Error('uploads still pending');
  }));
});

// Waking for any reason resumes the stored queue.
void lease(LEASE_MS);
