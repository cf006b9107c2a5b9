// Ferry as a library inside a host app that is not Ferry's (examples/tus-host): the repository packed,
// the tarball installed and built as a user would, uploading to @tus/server with a bearer token and
// metadata, through a cut, a reload, every tab closed, and a token the server starts refusing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { tusSha256, tusUploads } from '../build/testkit/tus.js';
import { useExample } from './packed-example.ts';

const MB = 1_000_000;
const current = useExample('tus-host', (dir) => ({ TUS_DIR: dir }));

async function open(page: Page): Promise<void> {
  await page.goto(`${current().proxy.url}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

/** Bytes the tus server holds, all uploads together. */
async function held(): Promise<number> {
  return (await tusUploads(current().dir)).reduce((sum, upload) => sum + upload.bytes, 0);
}

test('the host app from the packed tarball: a cut, a reload, a refused token renewed with setHeaders, every tab closed; each file arrives exact with its metadata', async () => {
  test.setTimeout(180_000);
  const { browser, proxy, backend, dir: uploads, makeFile } = current();
  const page = browser.page;
  await open(page);
  proxy.throttle(2 * MB);
  const files = [await makeFile('survey-north.csv', 'text/csv', 6 * MB), await makeFile('photo-Ω.jpg', 'image/jpeg', 2 * MB)];
  await page.setInputFiles('#files', files.map((file) => file.path));
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(MB);

  // A cut TCP connection: the worker asks the tus server its offset, and goes on from there.
  proxy.cutAll();
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(2 * MB);

  // The page reloaded: the worker keeps going, and the new page sees it.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#uploads li')).toHaveCount(2);

  // The server starts refusing every token: the uploads wait for credentials, and the page gives a new one.
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { seen: Set<string> }).seen = seen;
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) seen.add((node as HTMLElement).dataset?.state ?? '');
    }).observe(document.querySelector('#uploads')!, { childList: true });
  });
  const before = await held();
  const expired = await fetch(`${backend.url}/demo/expire-tokens`, { method: 'POST' });
  expect(expired.status).toBe(204);
  await expect.poll(() => page.evaluate(() => [...(window as unknown as { seen: Set<string> }).seen]), { timeout: 30_000 }).toContain('needs-credentials');
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(before + MB);

  // Every tab closed (a blank one keeps the browser open), then the app opened again.
  const blank = await browser.context.newPage();
  await page.close();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  proxy.throttle(undefined);
  const again = await browser.context.newPage();
  await open(again);
  await blank.close();
  for (const file of files) await expect(again.locator('#uploads li', { hasText: file.name })).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

  // Exactly one upload per file on the tus server (never created again from 0), byte for byte, with its metadata.
  const stored = await tusUploads(uploads);
  expect(stored.map((upload) => upload.bytes).sort((a, b) => a - b)).toEqual(files.map((file) => file.size).sort((a, b) => a - b));
  for (const upload of stored) {
    const info = JSON.parse(await readFile(path.join(uploads, `${upload.id}.json`), 'utf8')) as { metadata: Record<string, string> };
    const file = files.find((candidate) => candidate.name === info.metadata.filename);
    expect(file, `an upload named ${info.metadata.filename}`).toBeDefined();
    expect(await tusSha256(uploads, upload.id)).toBe(file!.sha256);
    expect(info.metadata).toMatchObject({ filename: file!.name, filetype: file!.type, project: 'north-field', picker: 'example' });
  }
});

test('a plain HTML page holding only <ferry-uploads>: a cut mid-upload, and the file arrives exact with its metadata', async () => {
  const { browser, proxy, dir: uploads, makeFile } = current();
  const page = browser.page;
  await page.goto(`${proxy.url}/element.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  proxy.throttle(2 * MB);
  const file = await makeFile('site-plan.pdf', 'application/pdf', 4 * MB);
  await page.setInputFiles('ferry-uploads #picker', file.path);
  const row = page.locator('ferry-uploads li.upload', { hasText: file.name });
  await expect(row).toHaveAttribute('data-state', 'uploading', { timeout: 15_000 });
  await expect.poll(held, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(MB);
  proxy.cutAll();
  proxy.throttle(undefined);
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const [stored, ...others] = await tusUploads(uploads);
  expect(others, 'one upload on the tus server').toEqual([]);
  expect(await tusSha256(uploads, stored!.id)).toBe(file.sha256);
  const info = JSON.parse(await readFile(path.join(uploads, `${stored!.id}.json`), 'utf8')) as { metadata: Record<string, string> };
  expect(info.metadata).toMatchObject({ filename: file.name, filetype: file.type, project: 'north-field', picker: 'element' });
  // The host page's styles and the screen's do not mix: the element's rules stay in its shadow root.
  expect(await page.evaluate(() => document.styleSheets.length)).toBe(0);
});
