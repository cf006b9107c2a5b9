// The worker uploading to a real @tus/server on another origin (UPLOAD_TARGET=tus:…), through
// a fault proxy of its own, against the faults of the Ferry journeys; each test ends with the
// SHA-256 of the file in the tus server's store.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { FaultProxy } from '../build/testkit/fault-proxy.js';
import { forkTusServer, tusSha256, tusUploads, type TusProcess } from '../build/testkit/tus.js';
import { Harness, MB, settled, type SourceFile } from './harness.ts';

let dir: string;
let tus: TusProcess;
let tusProxy: FaultProxy;
let app: Harness;

test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-tus-'));
  tus = await forkTusServer(dir);
  tusProxy = await new FaultProxy(tus.port).listen();
  app = await Harness.start({ UPLOAD_TARGET: `tus:${tusProxy.url}/files/` });
});

test.afterEach(async () => {
  await app.close();
  await tusProxy.close();
  await tus.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Bytes the tus server holds for its largest upload. */
async function held(): Promise<number> {
  return (await tusUploads(dir))[0]?.bytes ?? 0;
}

/** Open the app, pick a file of `size` through a tus link throttled to `rate`, and wait until the server holds more than `above`. */
async function uploadMidway(name: string, size: number, above = MB, rate = 2 * MB): Promise<SourceFile> {
  await app.open();
  tusProxy.throttle(rate);
  const file = await app.makeFile(name, size);
  await app.pick([file]);
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(above);
  return file;
}

/** The row is done, and the tus store holds exactly one complete upload: this file, byte for byte. */
async function expectStored(file: SourceFile): Promise<void> {
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const uploads = await tusUploads(dir);
  expect(uploads.map((upload) => upload.bytes), 'one upload on the tus server, complete').toEqual([file.size]);
  expect(await tusSha256(dir, uploads[0]!.id)).toBe(file.sha256);
}

test('to @tus/server: 40 photos picked at once, every connection cut midway: each arrives exact, and only the creations in flight are left partial', async () => {
  await app.open();
  tusProxy.throttle(4 * MB);
  const photos = await Promise.all(Array.from({ length: 40 }, (_, index) => app.makeFile(`photo-${String(index).padStart(2, '0')}.jpg`, 200_000)));
  await app.pick(photos);
  const complete = async () => (await tusUploads(dir)).filter((upload) => upload.bytes === 200_000).length;
  await expect.poll(complete, { timeout: 30_000, intervals: [50] }).toBeGreaterThan(10);
  tusProxy.cutAll();
  tusProxy.throttle(undefined);
  for (const photo of photos) await expect(app.row(photo.name)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // A tus server lists nothing, so the finished rows stay: the last five to finish, the rest folded (300 of them were laid out on every draw).
  const finishedFold = app.page.locator('#queue .more[data-fold="done"]');
  await expect(finishedFold).toContainText('35 more finished');
  await expect(app.page.locator('li.upload[data-state="done"]:not(.folded)')).toHaveCount(5);
  await expect(finishedFold.getByRole('button', { name: 'Show all' })).toHaveAccessibleDescription('35 more finished');
  await finishedFold.getByRole('button', { name: 'Show all' }).click();
  await expect(app.page.locator('li.upload[data-state="done"]:not(.folded)')).toHaveCount(40);
  await expect(finishedFold.getByRole('button', { name: 'Show fewer' })).toBeFocused();
  await expect(finishedFold.getByRole('button', { name: 'Show fewer' })).toHaveAccessibleDescription('40 finished');
  // A creating POST cut midway leaves bytes under a URL the worker never learnt: those are partial.
  const uploads = await tusUploads(dir);
  const stored = new Set(await Promise.all(uploads.filter((upload) => upload.bytes === 200_000).map((upload) => tusSha256(dir, upload.id))));
  expect(photos.filter((photo) => !stored.has(photo.sha256)).map((photo) => photo.name), 'every photo exact in the tus store').toEqual([]);
  expect(uploads.length, 'uploads on the server: one per photo, and the three at most whose creation was cut').toBeLessThanOrEqual(40 + 3);
});

test('to @tus/server: every connection cut, twice, and the upload resumes from the server offset', async () => {
  const file = await uploadMidway('site-survey.mp4', 8 * MB);
  const before = await held();
  tusProxy.cutAll();
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(before + 500_000);
  tusProxy.cutAll();
  tusProxy.throttle(undefined);
  await expectStored(file);
  expect(tusProxy.bytesUp, 'each cut costs what was in flight, not the file again').toBeLessThan(file.size * 2);
  // The "On the server" section says where the files went instead of listing Ferry's.
  await expect(app.page.locator('#completed-empty')).toContainText(new URL(tusProxy.url).host);
});

test('to @tus/server: the page reloaded mid-upload, and the new page shows its progress', async () => {
  const file = await uploadMidway('train-journey.mov', 8 * MB);
  await app.page.reload();
  await expect(app.page.locator('body')).toHaveAttribute('data-ready', 'true');
  // The bar is bytes the server confirmed (the offset after each PATCH): it moves at least once a second.
  const bar = () => app.row(file.name).locator('progress').evaluate((element: HTMLProgressElement) => element.value);
  let last = await bar();
  let changedAt = Date.now();
  let longestStill = 0;
  for (const until = Date.now() + 3000; Date.now() < until;) {
    await app.page.waitForTimeout(50);
    const now = await bar();
    if (now !== last) {
      longestStill = Math.max(longestStill, Date.now() - changedAt);
      [last, changedAt] = [now, Date.now()];
    }
  }
  expect(last).toBeGreaterThan(MB);
  expect(longestStill, 'longest time the bar stood still at 2 MB/s (ms)').toBeLessThan(1200);
  tusProxy.throttle(undefined);
  await expectStored(file);
});

test('to @tus/server: every tab closed and the worker stopped, then the app opened again: the same upload completes', async () => {
  const holder = await app.context.newPage();
  const file = await uploadMidway('night-shift.mp4', 10 * MB);
  await app.page.close();
  await app.stopWorkers(holder);
  const stopped = await settled(held);
  expect(stopped).toBeLessThan(file.size);
  await holder.waitForTimeout(1500);
  expect(await held(), 'nothing uploads while the worker is stopped and no tab is open').toBe(stopped);

  tusProxy.throttle(undefined);
  app.page = await app.context.newPage();
  await app.open();
  // One upload on the server: the stored URL was resumed, not a new one created.
  await expectStored(file);
});

test('to @tus/server: offline, then online again', async () => {
  const file = await uploadMidway('field-notes.zip', 8 * MB);
  await app.context.setOffline(true);
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'waiting-for-network', { timeout: 15_000 });
  const offline = await settled(held);
  expect(offline).toBeLessThan(file.size);
  tusProxy.throttle(undefined);
  await app.context.setOffline(false);
  await expectStored(file);
});

test('to @tus/server: the tus server killed and restarted mid-upload', async () => {
  const file = await uploadMidway('clinic-scan.zip', 8 * MB, 2 * MB);
  tus = await tus.restart();
  tusProxy.retarget(tus.port);
  tusProxy.throttle(undefined);
  await expectStored(file);
});

test('to @tus/server: an upload the server forgot starts again with a new creation, and the row says so', async () => {
  const file = await uploadMidway('forgotten.bin', 8 * MB, 2 * MB);
  const [first] = await tusUploads(dir);
  // As an expiry would: the server no longer knows the upload URL.
  await rm(path.join(dir, first!.id));
  await rm(path.join(dir, `${first!.id}.json`));
  await expect(app.row(file.name).locator('.message')).toContainText('forgotten', { timeout: 30_000 });
  tusProxy.throttle(undefined);
  await expectStored(file);
  expect((await tusUploads(dir))[0]!.id).not.toBe(first!.id);
  await expect(app.row(file.name).locator('.message')).toContainText('sent again from the beginning');
});

test('to @tus/server: pause and resume, and cancel terminates the upload on the server', async () => {
  await app.open();
  tusProxy.throttle(1 * MB);
  const kept = await app.makeFile('keep-me.bin', 24 * MB);
  const dropped = await app.makeFile('drop-me.bin', 20 * MB);
  await app.pick([kept, dropped]);
  await expect.poll(async () => (await tusUploads(dir)).filter((upload) => upload.bytes > 0).length, { timeout: 30_000 }).toBe(2);
  await app.row(dropped.name).getByRole('button', { name: 'Cancel' }).click();
  await expect(app.row(dropped.name)).toHaveCount(0, { timeout: 15_000 });
  await expect.poll(async () => (await tusUploads(dir)).length, { timeout: 10_000, message: 'the DELETE removed it from the tus store' }).toBe(1);

  await app.row(kept.name).getByRole('button', { name: 'Pause' }).click();
  await expect(app.row(kept.name)).toHaveAttribute('data-state', 'paused');
  const paused = await settled(held);
  expect(paused).toBeLessThan(kept.size);
  tusProxy.throttle(undefined);
  await app.row(kept.name).getByRole('button', { name: 'Resume' }).click();
  await expectStored(kept);
});
