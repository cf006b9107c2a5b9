// Notifications with no page open: an upload that finished or failed says so, and a click brings a page forward.
import { describe, translate, type Language } from '../../common/i18n/catalogue.js';
import type { UploadView } from '../../common/messages.js';
import type { ResolvedWorkerOptions } from './options.js';
import { PAUSE_ALL_ACTION } from './progress-notice.js';

declare const self: ServiceWorkerGlobalScope;

type Settings = Exclude<ResolvedWorkerOptions['notifications'], false>;

/** A notification for an upload that finished or failed; tagged by upload, so it is shown once. */
export async function notifyEnd(upload: UploadView, language: Language, settings: Settings): Promise<void> {
  if (upload.state !== 'done' && upload.state !== 'failed') return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = translate(language, upload.state === 'done' ? 'notify.done' : 'notify.failed', { name: upload.name });
  const body = upload.notice ? describe(language, upload.notice) : translate(language, 'notify.openApp');
  const options = { body, tag: `ferry:${upload.id}`, lang: language, data: { url: settings.url ?? self.registration.scope }, ...(settings.icon ? { icon: settings.icon } : {}) };
  await self.registration.showNotification(title, options).catch(() => undefined);
}

/** A click on one of our notifications brings a page forward, or opens the URL it carries; its Pause all pauses all. */
export function onNotificationClick(event: NotificationEvent, pauseAll: () => Promise<void>): void {
  if (!event.notification.tag.startsWith('ferry:')) return;
  event.notification.close();
  if (event.action === PAUSE_ALL_ACTION) {
    event.waitUntil(pauseAll());
    return;
  }
  const url = (event.notification.data as { url?: string } | null)?.url ?? self.registration.scope;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((pages) => {
    const open = pages[0];
    return open ? open.focus() : self.clients.openWindow(url);
  }));
}
