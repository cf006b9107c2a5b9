// The worker speaking the IETF Resumable Uploads draft (UPLOAD_TARGET=ietf:…), and tus with the
// checksum extension, to Ferry's own /uploads/, through a cut and a reload; the stored file is
// compared by SHA-256.
import { expect, test } from '@playwright/test';
import type { CompletedFile } from '../common/protocol.js';
import { storedSha } from '../build/testkit/server-view.js';
import { MB, useHarness, type Harness, type SourceFile } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

/** Wait until the row's bar (bytes the server confirmed) passes `above`. */
async function confirmedAbove(file: SourceFile, above: number): Promise<void> {
  await expect.poll(() => app.row(file.name).locator('progress').evaluate((bar: HTMLProgressElement) => bar.value), { timeout: 30_000 }).toBeGreaterThan(above);
}

async function expectStored(file: SourceFile): Promise<void> {
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const cookie = await app.cookie();
  const files = (await (await fetch(`${app.ferry.url}/files`, { headers: { cookie } })).json()) as CompletedFile[];
  const stored = files.filter((entry) => entry.name === file.name);
  expect(stored.map((entry) => entry.size), 'one upload of it on the server').toEqual([file.size]);
  expect(stored[0]!.id, 'made through /uploads/, not Ferry\'s own protocol').toMatch(/^[0-9a-f]{32}$/);
  expect(await storedSha(app.ferry.url, cookie, stored[0]!.id)).toBe(file.sha256);
}

const targets = [
  { name: 'IETF draft (interop 8)', scheme: 'ietf' },
  { name: 'IETF draft (interop 6)', scheme: 'ietf@6' },
  { name: 'IETF draft (interop 9)', scheme: 'ietf@9' },
  // Ferry's tus advertises the checksum extension with sha256: every PATCH carries Upload-Checksum.
  { name: 'tus with checksums', scheme: 'tus' },
];
for (const { name, scheme } of targets) {
  test(`${name} to Ferry's /uploads/: a flipped byte, a cut and a reload mid-upload, and the file arrives exact`, async () => {
    await app.replaceServer({ UPLOAD_TARGET: `${scheme}:${app.url}/uploads/` });
    await app.open();
    app.proxy.throttle(2 * MB);
    const file = await app.makeFile(`${scheme}-scan.dcm`, 8 * MB);
    // A broken middlebox flips a byte of one body: the server's check refuses that chunk, and it goes again.
    app.proxy.corruptNextBody();
    await app.pick([file]);
    await confirmedAbove(file, MB);
    app.proxy.cutAll();
    await confirmedAbove(file, 2 * MB);
    await app.page.reload();
    await expect(app.page.locator('body')).toHaveAttribute('data-ready', 'true');
    await confirmedAbove(file, 2 * MB);
    app.proxy.throttle(undefined);
    await expectStored(file);
    await expect(app.row(file.name).locator('.message')).toContainText('1 damaged chunk was caught and sent again');
  });
}
