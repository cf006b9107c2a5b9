// The batch line and the finished list, as people steer them (issue 31): Pause all and Resume all,
// Cancel all with one Undo, a Delete that stays done, and a count that never shrinks.
import { expect, test } from '@playwright/test';
import { MB, useHarness, type Harness, type SourceFile } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

const batchLine = () => app.page.locator('#batch-summary');

/** Three files picked at once through a 1 MB/s link, the first of them under way on the server. */
async function threeUnderWay(names: [string, string, string]): Promise<SourceFile[]> {
  await app.open();
  app.proxy.throttle(MB);
  const files = [await app.makeFile(names[0], 3 * MB), await app.makeFile(names[1], 2 * MB), await app.makeFile(names[2], 2 * MB)];
  await app.pick(files);
  await app.waitForServerOffset(names[0], 200_000);
  return files;
}

test('Pause all, then Resume all: the line says Paused, and every file arrives exact', async () => {
  const files = await threeUnderWay(['north.bin', 'south.bin', 'east.bin']);
  await app.page.getByRole('button', { name: 'Pause all' }).click();
  for (const file of files) await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');
  await expect(batchLine()).toHaveText(/^Paused · 0 of 3 done$/);
  await expect(app.page.getByRole('button', { name: 'Pause all' })).toBeHidden();
  // Screen readers hear it once, from the one live region, after the rows' own news.
  await expect(app.page.getByRole('status').filter({ hasText: 'Paused' })).toHaveText(/^Paused · 0 of 3 done$/);

  await expect(app.page.locator('#storage')).toContainText(/Kept in this browser until uploaded: 7(\.0)? MB/);

  app.proxy.throttle(undefined);
  await app.page.getByRole('button', { name: 'Resume all' }).click();
  for (const file of files) await app.expectDone(file);
  // Nothing is kept once everything is up, whatever the browser's own usage says.
  await expect(app.page.locator('#storage')).toHaveText('Files you pick are kept in this browser until they are uploaded.');
});

test('Cancel all, then its one Undo: no Undo on the rows, the focus kept, and the batch back as it was', async () => {
  const files = await threeUnderWay(['a.bin', 'b.bin', 'c.bin']);
  await app.page.getByRole('button', { name: 'Cancel all' }).click();
  await expect(batchLine()).toContainText('3 uploads cancelled');
  const undo = app.page.locator('#undo-all');
  await expect(undo).toBeFocused();
  await expect(app.page.locator('li.upload button', { hasText: 'Undo' }), 'one Undo, on the batch line').toHaveCount(0);
  for (const file of files) await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');

  await undo.click();
  await expect(app.page.getByRole('button', { name: 'Cancel all' })).toBeFocused();
  await expect(batchLine()).toContainText('0 of 3 done');
  app.proxy.throttle(undefined);
  for (const file of files) await app.expectDone(file);
  await app.page.waitForTimeout(6000); // past the undo window: nothing was cancelled after all
  for (const file of files) await expect(app.row(file.name)).toHaveCount(1);
});

test('Delete on the server, undoable; once done, a reload lists it neither on the server nor under Uploads', async () => {
  await app.open();
  const file = await app.makeFile('to-delete.pdf', 2 * MB);
  await app.pick([file]);
  await app.expectDone(file);
  const id = await app.idOf(file.name);
  const listed = app.page.locator('#completed li', { hasText: file.name });
  await listed.getByRole('button', { name: `Delete “${file.name}”` }).click();
  await expect(listed).toContainText(`“${file.name}” deleted.`);
  await listed.getByRole('button', { name: 'Undo' }).click();
  await expect(listed.getByRole('link', { name: file.name })).toBeVisible();
  expect(await app.serverOffsetOfId(id), 'kept through the undo window').toBe(file.size);

  await listed.getByRole('button', { name: `Delete “${file.name}”` }).click();
  await expect(listed).toHaveCount(0, { timeout: 15_000 });
  await expect.poll(() => app.serverOffsetOfId(id)).toBe(0);
  await app.page.reload();
  await expect(app.page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(app.page.locator('#completed li', { hasText: file.name })).toHaveCount(0);
  await expect(app.row(file.name)).toHaveCount(0);
});

test('a batch of 40: the line counts "of 40" from the first file to the last, over a bar of confirmed bytes', async () => {
  await app.open();
  app.proxy.throttle(MB);
  const photos = await Promise.all(Array.from({ length: 40 }, (_, index) => app.makeFile(`photo-${String(index).padStart(2, '0')}.jpg`, 200_000)));
  // Every text the line shows, as it changes.
  await app.page.evaluate(() => {
    const summary = document.querySelector('ferry-uploads')!.shadowRoot!.querySelector('#batch-summary')!;
    const seen: string[] = ((window as unknown as { batchTexts: string[] }).batchTexts = []);
    new MutationObserver(() => seen.push(summary.textContent ?? '')).observe(summary, { childList: true, characterData: true, subtree: true });
    // And every row taken out of the list to be put back elsewhere.
    const queue = document.querySelector('ferry-uploads')!.shadowRoot!.querySelector('#queue')!;
    const moved = window as unknown as { rowsMoved: number };
    moved.rowsMoved = 0;
    new MutationObserver((changes) => changes.forEach((change) => (moved.rowsMoved += change.removedNodes.length))).observe(queue, { childList: true });
  });
  await app.pick(photos);
  // The files moving come first; the queue folds after five rows.
  await expect(app.page.locator('li.upload').first()).toHaveAttribute('data-state', 'uploading');
  await expect(app.page.locator('#queue .more[data-fold="queued"]')).toContainText(/^\d+ more queued/);
  // Five shown (six once folding one away would take as much room).
  expect(await app.page.locator('li.upload[data-state="queued"]:not(.folded)').count()).toBeLessThanOrEqual(6);
  // Rows move as files start and finish, and each draw leaves them in order: moving, then queued, then done.
  const RANK: Record<string, number> = { uploading: 0, queued: 4, done: 5 };
  await expect.poll(() => app.page.locator('li.upload[data-state="done"]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
  // Read in one go from the list itself: a locator's evaluateAll once gave a row that had just finished
  // in its old place, while the list itself, read a moment before, was in order.
  const states = await app.page.evaluate(() => [...document.querySelector('ferry-uploads')!.shadowRoot!.querySelectorAll<HTMLElement>('#queue > li.upload')].map((row) => row.dataset.state!));
  const midway = states.map((state) => RANK[state] ?? 1);
  expect(midway, 'rows in order mid-batch').toEqual([...midway].sort((a, b) => a - b));
  // Nothing glides while a batch runs: the page lays out when it draws (at most ten times a second, a few
  // layouts each), not at 60 frames a second for a bar's transition (128-136 layouts in 2 s with one, 48-58 without).
  const cdp = await app.context.newCDPSession(app.page);
  await cdp.send('Performance.enable');
  const layouts = async () => (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'LayoutCount')!.value;
  const layoutsBefore = await layouts();
  await app.page.waitForTimeout(2000);
  expect((await layouts()) - layoutsBefore, 'layouts in 2 s mid-batch').toBeLessThan(90);
  await cdp.detach();
  await expect.poll(() => app.page.locator('li.upload[data-state="done"]').count(), { timeout: 60_000 }).toBe(40);
  // A row moves when its file starts and when it ends, not each time another passes it (1,139-1,253 moves for
  // these 40 before, each restyling the list; 44-45 after).
  expect(await app.page.evaluate(() => (window as unknown as { rowsMoved: number }).rowsMoved), 'rows moved').toBeLessThanOrEqual(3 * photos.length);
  const texts = await app.page.evaluate(() => (window as unknown as { batchTexts: string[] }).batchTexts);
  const totals = new Set(texts.flatMap((text) => /(\d+) of (\d+) done/.exec(text)?.[2] ?? []));
  expect(texts.length, 'the line changed as files finished').toBeGreaterThan(5);
  expect([...totals]).toEqual(['40']);
  // Then the line says how the batch ended.
  await expect(batchLine()).toHaveText('40 files uploaded, all verified.');
  // The server's list is one line a file, 20 at a time.
  await expect(app.page.locator('#completed li.file')).toHaveCount(20);
  await app.page.getByRole('button', { name: 'Show 20 more' }).click();
  await expect(app.page.locator('#completed li.file')).toHaveCount(40);
  await expect(app.page.getByRole('button', { name: /^Show \d+ more$/ })).toHaveCount(0);
  // Before any pick: a button to choose files with a mouse too, and what is left of the quota.
  await expect(app.page.getByText('Choose files', { exact: true })).toBeVisible();
  await expect(app.page.locator('#quota')).toContainText('this server keeps for you is free');
  for (const photo of photos) expect(await app.storedShaOf(await app.idOf(photo.name))).toBe(photo.sha256);
});

test('a cancel still waiting for its Undo when the tab closes is carried out: the file is not back as Paused', async () => {
  await app.open();
  app.proxy.throttle(MB);
  const file = await app.makeFile('changed-my-mind.bin', 6 * MB);
  await app.pick([file]);
  await app.waitForServerOffset(file.name, 200_000);
  const id = await app.idOf(file.name);
  const holder = await app.context.newPage(); // the browser stays open
  await app.row(file.name).getByRole('button', { name: 'Cancel' }).click();
  await expect(app.row(file.name).getByRole('button', { name: 'Undo' })).toBeVisible();
  await app.page.close();
  await expect.poll(() => app.serverOffsetOfId(id), { timeout: 15_000 }).toBe(0);
  const again = await app.context.newPage();
  await app.open(again);
  await holder.close();
  await expect(app.row(file.name, again)).toHaveCount(0);
});
