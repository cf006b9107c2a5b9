// With every tab closed (issue 33): a push wakes the worker, which shows one progress notification
// naming the upload and carries it to the end; and where nothing will wake it again (the browser's last
// sync), it leaves an honest last word. Pushes are delivered over CDP, as a push service would.
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { MB, settled, useHarness, type Harness } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

/** A CDP session on `page` that knows the app's service worker registration. */
async function workerControl(page: Page, origin: string): Promise<{ cdp: CDPSession; registrationId: string }> {
  const cdp = await app.context.newCDPSession(page);
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((registration) => registration.scopeURL.startsWith(origin) && !registration.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return { cdp, registrationId: await found };
}

/**
 * Titles of the app's notifications, asked of its running worker: a page of the origin would be a
 * window the worker sees, and it stops notifying once one is open. After a stop, the live worker is the newest.
 */
async function notificationTitles(): Promise<string[]> {
  for (const worker of app.context.serviceWorkers().toReversed()) {
    const titles = await worker.evaluate(async () => (await (self as unknown as { registration: ServiceWorkerRegistration }).registration.getNotifications()).map((notification: Notification) => notification.title)).catch(() => undefined);
    if (titles) return titles;
  }
  return [];
}

test('every tab closed and the worker stopped: nothing moves until a push, then a notification names the upload and it completes exact', async () => {
  await app.context.grantPermissions(['notifications'], { origin: app.url });
  const holder = await app.context.newPage(); // a blank tab: the browser stays open
  const { file } = await app.uploadMidway('field-video.mp4', 8 * MB, MB, 400_000);
  const id = await app.idOf(file.name);
  await app.page.close();
  const { cdp, registrationId } = await workerControl(holder, app.url);
  await cdp.send('ServiceWorker.stopAllWorkers');
  // Stopped: what the server holds stays where it is.
  const still = await settled(() => app.serverReceivedOfId(id));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await app.serverReceivedOfId(id)).toBe(still);

  await cdp.send('ServiceWorker.deliverPushMessage', { origin: app.url, registrationId, data: JSON.stringify({ type: 'ferry:continue' }) });
  await expect.poll(() => app.serverReceivedOfId(id), { timeout: 15_000 }).toBeGreaterThan(still);
  await expect.poll(() => notificationTitles(), { timeout: 15_000 }).toContainEqual(expect.stringMatching(/^Uploading field-video\.mp4 · [\d.]+ MB of 8\.0 MB$/));
  app.proxy.throttle(undefined);
  await expect.poll(() => app.serverOffsetOfId(id), { timeout: 30_000 }).toBe(file.size);
  expect(await app.storedShaOf(id)).toBe(file.sha256);
  // The work ended: progress gives way to the upload's own notification.
  await expect.poll(() => notificationTitles(), { timeout: 10_000 }).toEqual(['Uploaded: field-video.mp4']);
  await cdp.detach();
});

test('the browser\'s last sync ends with work left: one notification says what is paused, and opening Ferry finishes it exact', async () => {
  await app.context.grantPermissions(['notifications'], { origin: app.url });
  const holder = await app.context.newPage();
  const { file } = await app.uploadMidway('clinic-scans.zip', 8 * MB, MB, 200_000);
  const id = await app.idOf(file.name);
  await app.page.close();
  const { cdp, registrationId } = await workerControl(holder, app.url);
  // A sync lasts 150 s; the worker's timers of over 100 s are cut to 1 s, so the lease ends while bytes remain.
  const [worker] = app.context.serviceWorkers();
  await worker!.evaluate(() => {
    const real = self.setTimeout.bind(self);
    (self as unknown as { setTimeout: typeof setTimeout }).setTimeout = ((handler: () => void, ms?: number) => real(handler, (ms ?? 0) >= 100_000 ? 1000 : ms)) as typeof setTimeout;
  });
  await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: app.url, registrationId, tag: 'ferry-uploads', lastChance: true });
  await expect.poll(() => notificationTitles(), { timeout: 15_000 }).toContainEqual('1 upload paused: open Ferry to finish it');
  expect(await app.serverOffsetOfId(id)).toBeLessThan(file.size);

  // Opening Ferry goes on from the server's offset, and the last word goes.
  app.proxy.throttle(undefined);
  await app.open(holder);
  await app.expectDone(file, 60_000, holder);
  expect(await notificationTitles()).not.toContainEqual('1 upload paused: open Ferry to finish it');
  await cdp.detach();
});
