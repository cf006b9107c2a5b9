// What a row says while the network fails and comes back (issue 31, fault 9): the words follow the
// bytes, not the last answer. Each file still arrives byte for byte.
import { expect, test } from '@playwright/test';
import { MB, useHarness, type Harness } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

test('a link gone silent (nothing cut): the row says Reconnecting… with no speed, then goes on when the bytes flow', async () => {
  const { file } = await app.uploadMidway('tunnel.mov', 6 * MB, MB);
  const message = app.row(file.name).locator('.message');
  await expect(app.row(file.name).locator('.detail')).toContainText('/s');
  app.proxy.silence(true);
  // The worker notices within 2 s that the server sees no new byte (polls every 500 ms, a stall at 1.5 s).
  await expect(message).toHaveText('Reconnecting…');
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'uploading');
  await expect(app.row(file.name).locator('.detail')).not.toContainText('/s');
  const during = await app.serverOffset(file.name);

  app.proxy.silence(false);
  app.proxy.throttle(undefined);
  await app.expectDone(file);
  await expect(message).not.toContainText('Reconnecting');
  // It went on from what the server held, not from the start.
  expect(app.proxy.bytesUp).toBeLessThan(file.size * 2);
  expect(during).toBeLessThan(file.size);
});

test('back online after a long wait: the retry is at once, and "Retrying in…" goes with it', async () => {
  const { file } = await app.uploadMidway('field-notes.mp4', 6 * MB, MB);
  const message = app.row(file.name).locator('.message');
  await app.context.setOffline(true);
  // Offline long enough for the backoff to grow past 8 s.
  await expect.poll(async () => Number(/Retrying in (\d+) sec/.exec((await message.textContent()) ?? '')?.[1] ?? 0), { timeout: 40_000 })
    .toBeGreaterThanOrEqual(8);
  app.proxy.throttle(undefined);
  await app.context.setOffline(false);
  // Well before the countdown would have ended: `online` wakes the worker.
  await expect(message).not.toContainText('Retrying', { timeout: 4000 });
  await app.expectDone(file);
});
