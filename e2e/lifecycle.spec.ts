// The worker's life: stopped, woken, with every tab gone, and the app offline.
import { expect, test } from '@playwright/test';
import { MB, settled, useHarness, type Harness } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

test('every tab closed mid-upload and the worker stopped, then the app opened again: the upload completes', async () => {
  // A blank tab, not the app's, holds the CDP session that stops the worker.
  const holder = await app.context.newPage();
  const { file } = await app.uploadMidway('night-shift.mp4', 10 * MB, MB);
  const id = await app.idOf(file.name);

  await app.page.close();
  await app.stopWorkers(holder);
  const stopped = await settled(() => app.serverReceivedOfId(id));
  expect(stopped).toBeLessThan(file.size);
  await holder.waitForTimeout(1500);
  expect(await app.serverReceivedOfId(id), 'nothing uploads while the worker is stopped and no tab is open').toBe(stopped);

  app.proxy.throttle(undefined);
  app.page = await app.context.newPage();
  await app.open();
  await app.expectDone(file);
});

test('a worker stopped mid-upload resumes when it next wakes', async () => {
  const { file } = await app.uploadMidway('ultrasound.dcm', 10 * MB, MB);

  await app.stopWorkers(app.page);
  const stopped = await settled(() => app.serverReceived(file.name));
  expect(stopped).toBeLessThan(file.size);

  // The page's next message wakes the worker; here, the network coming back.
  app.proxy.throttle(undefined);
  await app.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await app.expectDone(file);
});

test('the app shell opens offline under its worker, shows the stored queue, and its manifest parses', async () => {
  await app.open();
  const file = await app.makeFile('waiting.bin', 3 * MB);
  app.proxy.throttle(200_000);
  await app.pick([file]);
  await app.row(file.name).getByRole('button', { name: 'Pause' }).click();
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');

  const offline = await app.reloadOffline();
  expect(await app.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${app.url}/sw.js`);
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');
  await expect(app.page.locator('#banner')).toContainText('offline');

  const cdp = await app.context.newCDPSession(app.page);
  const manifest = await cdp.send('Page.getAppManifest');
  expect(manifest.errors).toEqual([]);
  const parsed = JSON.parse(manifest.data ?? '{}') as { name: string; short_name: string; display: string; start_url: string; icons: Array<{ src: string; sizes: string; purpose?: string }> };
  expect(parsed).toMatchObject({ name: 'Ferry uploader', short_name: 'Ferry', display: 'standalone', start_url: '/' });
  expect(parsed.icons.map((icon) => icon.sizes)).toEqual(['192x192', '512x512', '512x512']);
  expect(parsed.icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
  // Icons come from the precache even offline.
  const statuses = await app.page.evaluate(async (icons) => Promise.all(icons.map(async (icon) => (await fetch(`/${icon}`)).status)), parsed.icons.map((icon) => icon.src));
  expect(statuses).toEqual([200, 200, 200]);

  await offline.online();
  app.proxy.throttle(undefined);
  await app.row(file.name).getByRole('button', { name: 'Resume' }).click();
  await app.expectDone(file);
});

test('a cancel made offline is remembered, and the server hears it when the network is back', async () => {
  const { file } = await app.uploadMidway('stopped-offline.bin', 10 * MB, MB, MB);
  const id = await app.idOf(file.name);
  await app.context.setOffline(true);
  await app.row(file.name).getByRole('button', { name: 'Cancel' }).click();
  await expect(app.row(file.name)).toHaveCount(0, { timeout: 15_000 });
  expect(await app.serverOffsetOfId(id), 'the server still holds the bytes: it has not heard the cancel').toBeGreaterThan(0);
  await app.context.setOffline(false);
  // The page's `online` wakes the worker, which sends the remembered cancel.
  await expect.poll(() => app.serverOffsetOfId(id), { timeout: 15_000 }).toBe(0);
  await app.page.reload();
  await expect(app.page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(app.row(file.name)).toHaveCount(0);
});

test('retention: with the worker\'s clock moved past 7 days, a paused upload\'s stored file is dropped and the row says so', async () => {
  const { file } = await app.uploadMidway('forgotten-in-the-browser.bin', 10 * MB, MB, MB);
  await app.row(file.name).getByRole('button', { name: 'Pause' }).click();
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');
  await expect(app.row(file.name).locator('.message')).toContainText('Kept in this browser until');
  // Asked of the worker: only the engine knows its database.
  const id = await app.idOf(file.name);
  const storedFiles = () => app.page.evaluate((key) => new Promise<number>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent) => resolve(event.data instanceof Blob ? 1 : 0);
    navigator.serviceWorker.controller!.postMessage({ type: 'ferry:stored-file', id: key }, [channel.port2]);
  }), id);
  expect(await storedFiles()).toBe(1);
  const [worker] = app.context.serviceWorkers();
  await worker!.evaluate(() => {
    const real = Date.now.bind(Date);
    Date.now = () => real() + 8 * 24 * 3600 * 1000;
  });
  // Any page message wakes the worker, and every wake sweeps.
  await app.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'failed', { timeout: 15_000 });
  await expect(app.row(file.name).locator('.message')).toContainText('waited in the browser for 7 days');
  expect(await storedFiles()).toBe(0);
  await expect(app.row(file.name).getByRole('button', { name: 'Retry now' })).toHaveCount(0);
});

test('an upload that finishes while its only tab is closed leaves a notification naming the file', async () => {
  await app.context.grantPermissions(['notifications'], { origin: app.url });
  await app.context.newPage(); // a blank tab, not the app's: the browser stays open
  const { file } = await app.uploadMidway('notify-me.bin', 6 * MB, MB);
  const id = await app.idOf(file.name);
  await app.page.close();
  app.proxy.throttle(undefined);
  await expect.poll(() => app.serverOffsetOfId(id), { timeout: 30_000 }).toBe(file.size);
  // Read from the worker itself: opening the app would close the progress notification for it.
  const [worker] = app.context.serviceWorkers();
  const shown = () => worker!.evaluate(async () => {
    const { registration } = self as unknown as { registration: { getNotifications(): Promise<Array<{ title: string; body: string }>> } };
    return (await registration.getNotifications()).map((notification) => `${notification.title} | ${notification.body}`);
  });
  await expect.poll(async () => (await shown()).some((line) => line.includes('Uploaded: notify-me.bin')), { timeout: 10_000 }).toBe(true);
  // The moment the file's own word is up, the progress notification ("Uploading … 1.0 MB of 6.0 MB") is gone.
  expect(await shown()).toEqual([expect.stringContaining('Uploaded: notify-me.bin')]);
});
