// The server as a real browser meets it: the app shell under its strict policy,
// a classic resumable client (fetch('status') + XHR POST) unchanged, and an
// uploaded HTML file that must never run in the app's origin.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { launchChromium, pickInOwnInput, type ChromiumProfile } from '../build/testkit/chromium.js';
import { forkFerry, type FerryProcess } from '../build/testkit/ferry.js';
import { ownerCookie, sha256, storedSha } from '../build/testkit/server-view.js';

let ferry: FerryProcess;
let browser: ChromiumProfile;
let page: Page;
const problems: string[] = [];

test.beforeAll(async () => {
  ferry = await forkFerry();
  browser = await launchChromium();
  page = browser.page;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
});

test.afterAll(async () => {
  await browser?.close();
  await ferry?.close();
});

test('the app shell loads under its CSP, and its service worker takes control', async () => {
  await page.goto(ferry.url);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const controlled = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.getRegistration().then((registration) => registration?.active?.scriptURL);
  });
  expect(controlled).toBe(`${ferry.url}/sw.js`);
  expect(problems, 'no CSP violations or script errors').toEqual([]);
});

test('a classic client works unchanged: fetch("status"), then XHR POSTs to "upload", resumed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-pick-'));
  const source = randomBytes(6 * 1024 * 1024 + 321);
  const file = path.join(dir, 'field-notes.bin');
  await writeFile(file, source);
  try {
    await page.goto(ferry.url);
    // The classic pattern's page has its own file input.
    await pickInOwnInput(page, 'classic-input', file);

    const offsets = await page.evaluate(async () => {
      const picked = (document.querySelector('#classic-input') as HTMLInputElement).files![0]!;
      const fileId = `${picked.name}-${picked.size}-${picked.lastModified}`;
      const status = async () => Number(await (await fetch('status', { headers: { 'X-File-Id': fileId } })).text());
      const send = (start: number, end: number) => new Promise<number>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', 'upload', true);
        xhr.setRequestHeader('X-File-Id', fileId);
        xhr.setRequestHeader('X-Start-Byte', String(start));
        xhr.onload = () => resolve(xhr.status);
        xhr.onerror = () => reject(new Error('network error'));
        xhr.send(picked.slice(start, end));
      });
      const seen = [await status()];
      // First attempt sends only part of the file, as if the connection had dropped.
      await send(seen[0]!, Math.floor(picked.size / 3));
      seen.push(await status());
      // Resume from what the server holds.
      await send(seen[1]!, picked.size);
      seen.push(await status());
      return { fileId, seen, size: picked.size };
    });
    expect(offsets.seen).toEqual([0, Math.floor(source.length / 3), source.length]);

    // The classic client never declares a size; declaring it completes the upload for download.
    const cookie = await ownerCookie(browser.context, ferry.url);
    const finish = await fetch(`${ferry.url}/upload`, {
      method: 'POST',
      headers: { cookie, 'X-File-Id': offsets.fileId, 'X-Start-Byte': String(source.length), 'X-File-Size': String(source.length) },
      body: new Uint8Array(0),
    });
    expect(finish.status).toBe(200);
    expect(await storedSha(ferry.url, cookie, offsets.fileId)).toBe(sha256(source));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an uploaded HTML file downloads as an attachment and never runs in the app origin', async () => {
  await page.goto(ferry.url);
  const html = '<!doctype html><title>evil</title><script>localStorage.setItem("pwned", "yes")</script>';
  const uploaded = await page.evaluate(async (body) => {
    const response = await fetch('/upload', {
      method: 'POST',
      headers: { 'X-File-Id': 'evil.html', 'X-File-Size': String(new Blob([body]).size), 'X-File-Type': 'text/html', 'X-File-Name': 'evil.html' },
      body: new Blob([body]),
    });
    return response.status;
  }, html);
  expect(uploaded).toBe(200);

  const download = page.waitForEvent('download');
  await page.evaluate(() => {
    const link = document.createElement('a');
    link.href = '/files/evil.html';
    link.id = 'evil-link';
    link.textContent = 'open';
    document.body.append(link);
  });
  await page.click('#evil-link');
  const file = await download;
  expect(file.suggestedFilename()).toBe('evil.html');
  expect(await page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();

  // Even navigated to directly, the browser treats it as a download, never as a page of this origin.
  const direct = await browser.context.newPage();
  const directDownload = direct.waitForEvent('download');
  await direct.goto(`${ferry.url}/files/evil.html`).catch(() => undefined);
  await directDownload;
  await direct.close();
  expect(await page.evaluate(() => localStorage.getItem('pwned'))).toBeNull();
});

test('an uploaded script never runs as a same-origin script, even when a page loads it with <script src>', async () => {
  await page.goto(ferry.url);
  const outcome = await page.evaluate(async () => {
    const code = 'window.pwnedByUpload = true;';
    const uploaded = await fetch('/upload', {
      method: 'POST',
      headers: { 'X-File-Id': 'evil.js', 'X-File-Size': String(code.length), 'X-File-Type': 'text/javascript', 'X-File-Name': 'evil.js' },
      body: code,
    });
    const loaded = await new Promise<string>((resolve) => {
      const script = document.createElement('script');
      script.src = '/files/?id=evil.js';
      script.onload = () => resolve('loaded');
      script.onerror = () => resolve('refused');
      document.head.append(script);
    });
    return { status: uploaded.status, loaded, ran: (window as unknown as { pwnedByUpload?: boolean }).pwnedByUpload === true };
  });
  expect(outcome.status).toBe(200);
  expect(outcome.ran, 'the upload did not run').toBe(false);
  expect(outcome.loaded).toBe('refused');
});

test('"Upload from elsewhere": a token made in the app, its curl line run as shown, a script, then Revoke clears it', async () => {
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ferry.url });
  await page.goto(ferry.url);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.locator('#elsewhere > summary').click();
  await expect(page.locator('#elsewhere p').first()).not.toContainText('tus-js-client');
  await page.locator('#mint-token').click();
  await expect(page.locator('#new-token')).toBeVisible();
  const token = (await page.locator('#token-value').textContent())!.trim();
  expect(token).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{16}\.[\w-]{43}$/);
  // The focus is on its Copy button, which copies it whole.
  await expect(page.getByRole('button', { name: 'Copy the token' })).toBeFocused();
  await page.getByRole('button', { name: 'Copy the token' }).click();
  await expect(page.getByRole('button', { name: 'Copy the token' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  // Wrapped, not cut off in a box that scrolls sideways.
  expect(await page.locator('#token-value').evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  await expect(page.locator('#tus-snippet')).toContainText('/uploads/');

  // The curl line, run as shown (no stat, no line continuations), from the folder of report.pdf.
  const command = (await page.locator('#curl-snippet').textContent())!;
  expect(command).toContain(`Bearer ${token}`);
  expect(command).not.toMatch(/stat|\\\n/);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ferry-curl-'));
  const report = randomBytes(700_000);
  await writeFile(path.join(folder, 'report.pdf'), report);
  const ran = spawnSync('sh', ['-c', command], { cwd: folder, encoding: 'utf8' });
  await rm(folder, { recursive: true, force: true });
  expect(ran.status, ran.stderr).toBe(0);

  // A script elsewhere: no cookie, only the token.
  const body = randomBytes(300_000);
  const answer = await fetch(`${ferry.url}/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'X-File-Id': 'from-the-field.bin', 'X-File-Size': String(body.length), 'X-File-Name': 'from-the-field.bin' },
    body,
  });
  expect(answer.status).toBe(200);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#completed .file a', { hasText: 'from-the-field.bin' })).toBeVisible();
  await expect(page.locator('#completed .file a', { hasText: 'report.pdf' })).toBeVisible();
  const cookie = await ownerCookie(browser.context, ferry.url);
  expect(await storedSha(ferry.url, cookie, 'from-the-field.bin')).toBe(sha256(body));
  const listed = (await (await fetch(`${ferry.url}/files`, { headers: { cookie } })).json()) as Array<{ id: string; name: string }>;
  expect(await storedSha(ferry.url, cookie, listed.find((file) => file.name === 'report.pdf')!.id)).toBe(sha256(report));

  await page.locator('#elsewhere > summary').click();
  await page.locator('#mint-token').click();
  await expect(page.locator('#tokens li')).toHaveCount(2);
  const second = (await page.locator('#token-value').textContent())!.trim().split('.')[1]!;
  // Revoking the token on screen clears it; the focus moves to the next Revoke, then to Create a token.
  await page.getByRole('button', { name: `Revoke token ${second}` }).click();
  await expect(page.locator('#new-token')).toBeHidden();
  await expect(page.locator('#token-value')).toHaveText('');
  await expect(page.locator('#tokens li')).toHaveCount(1);
  await expect(page.locator('#tokens button').first()).toBeFocused();
  await page.locator('#tokens button').first().click();
  await expect(page.locator('#tokens li')).toHaveCount(0);
  await expect(page.locator('#mint-token')).toBeFocused();
  const revoked = await fetch(`${ferry.url}/status`, { headers: { authorization: `Bearer ${token}`, 'X-File-Id': 'x' } });
  expect(revoked.status).toBe(401);
});
