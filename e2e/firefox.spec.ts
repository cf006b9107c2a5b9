// The core journeys in Debian's Firefox ESR, which has service workers but no Background Sync:
// each ends with the server's SHA-256 of the file.
import { expect, test } from '@playwright/test';
import { useFirefox, type FirefoxHarness } from './firefox-harness.ts';
import { MB, settled } from './rig.ts';

const NO_BACKGROUND_SYNC = 'This browser pauses uploads while Ferry is closed; they continue when you open it again.';

const firefox = useFirefox();
let app: FirefoxHarness;
test.beforeEach(() => {
  app = firefox();
});

test('Firefox: three files picked at once arrive intact, and the first pick says uploads pause while Ferry is closed', async () => {
  await app.open();
  expect(await app.page.evaluate(() => 'SyncManager' in window), 'Firefox has no Background Sync').toBe(false);
  // The drop zone does not promise that uploads go on with the tab closed.
  expect(await app.page.$eval('ferry-uploads >>> #drop-hint', (hint) => hint.textContent)).toBe('or choose files. They upload while Ferry is open, and continue when you open it again.');
  const files = [await app.makeFile('отчёт.pdf', 3 * MB + 17), await app.makeFile('写真.jpg', 700_000), await app.makeFile('empty.txt', 0)];
  await app.pick(files);
  await expect.poll(() => app.notices()).toEqual([NO_BACKGROUND_SYNC]);
  for (const file of files) await app.expectDone(file);
  // Said once per browser, not at every pick.
  const more = await app.makeFile('second-pick.bin', 100_000);
  await app.pick([more]);
  await app.expectDone(more);
  await app.page.reload();
  await app.page.waitForSelector('body[data-ready="true"]');
  await app.pick([await app.makeFile('third-pick.bin', 1000)]);
  await app.expectState('third-pick.bin', 'done');
  expect(await app.notices()).toEqual([]);
});

test('Firefox: a proxy that cuts every connection mid-upload, twice: the upload resumes and arrives exact', async () => {
  const { file, held } = await app.uploadMidway('scan.dcm', 8 * MB, MB);
  app.proxy.cutAll();
  await app.waitForServerOffset(file.name, held + 500_000);
  app.proxy.cutAll();
  app.proxy.throttle(undefined);
  await app.expectDone(file);
  // Each cut costs at most the bytes in flight, never the whole file again.
  expect(app.proxy.bytesUp).toBeLessThan(file.size * 2);
});

test('Firefox: the page reloaded mid-upload: the upload keeps going, and the new page shows its progress', async () => {
  const { file, held } = await app.uploadMidway('train-journey.mov', 8 * MB, MB);
  await app.page.reload();
  await app.page.waitForSelector('body[data-ready="true"]');
  await expect.poll(() => app.page.evaluate(() => (document.querySelector('ferry-uploads')?.shadowRoot ?? document).querySelector<HTMLProgressElement>('li.upload progress')?.value ?? 0)).toBeGreaterThanOrEqual(held);
  app.proxy.throttle(undefined);
  await app.expectDone(file);
});

test('Firefox: offline mid-upload: the row waits and says it needs Ferry open, then resumes from the server offset', async () => {
  const { file } = await app.uploadMidway('field-video.mp4', 8 * MB, MB);
  await app.setOffline(true);
  await app.expectState(file.name, 'waiting-for-network', 15_000);
  await expect.poll(async () => (await app.rowOf(file.name))?.message).toContain('This browser goes on with it only while Ferry is open.');
  const held = await settled(() => app.serverReceived(file.name));
  expect(held).toBeGreaterThan(0);
  expect(held).toBeLessThan(file.size);

  const sentBefore = app.proxy.bytesUp;
  app.proxy.throttle(undefined);
  await app.setOffline(false);
  await app.expectDone(file);
  // Resumed from what the server held: only the rest went up again.
  expect(app.proxy.bytesUp - sentBefore).toBeLessThan(file.size - held + 256 * 1024);
});

test('Firefox: pause, resume and cancel', async () => {
  await app.open();
  app.proxy.throttle(MB);
  // Still going after the cancel's 5 s of Undo, and bigger than what can have left the browser by the
  // pause (chunks of 1, 4, 16 MiB at most, the one in flight possibly whole in socket buffers).
  const kept = await app.makeFile('keep-me.bin', 24 * MB);
  const dropped = await app.makeFile('drop-me.bin', 20 * MB);
  await app.pick([kept, dropped]);
  await app.waitForServerOffset(dropped.name, 0);
  const droppedId = await app.idOf(dropped.name);
  await app.press(dropped.name, 'cancel');
  await expect.poll(() => app.rowOf(dropped.name), { timeout: 15_000 }).toBeUndefined();
  await expect.poll(() => app.serverOffsetOfId(droppedId), { timeout: 10_000 }).toBe(0);

  await app.waitForServerOffset(kept.name, 500_000);
  await app.press(kept.name, 'pause');
  await app.expectState(kept.name, 'paused');
  const paused = await settled(() => app.serverReceived(kept.name));
  expect(paused).toBeLessThan(kept.size);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(await app.serverReceived(kept.name)).toBe(paused);

  app.proxy.throttle(undefined);
  await app.press(kept.name, 'resume');
  await app.expectDone(kept);
});

test('Firefox quit mid-upload and started again on the same profile: nothing moves while it is closed, and the upload completes', async () => {
  const { file } = await app.uploadMidway('night-shift.mp4', 10 * MB, MB, MB);
  const id = await app.idOf(file.name);
  const cookie = await app.cookie();
  await app.profile.quit();
  const stopped = await settled(() => app.serverReceivedOfId(id));
  expect(stopped).toBeLessThan(file.size);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await app.serverReceivedOfId(id), 'nothing uploads while Firefox is closed').toBe(stopped);

  app.proxy.throttle(undefined);
  await app.profile.start();
  expect(await app.cookie()).toBe(cookie);
  await app.open();
  await app.expectDone(file);
});

test('Firefox: a proxy that flips one byte in an append body: the server refuses that chunk, and the file still arrives exact', async () => {
  await app.open();
  app.proxy.corruptNextBody();
  const file = await app.makeFile('mangled-on-the-way.bin', 6 * MB);
  await app.pick([file]);
  await app.expectDone(file);
  expect(app.proxy.corrupted).toBe(1);
  expect((await app.rowOf(file.name))?.message).toBe("Verified: the server's copy matches this file byte for byte. 1 damaged chunk was caught and sent again.");
});
