// The upload screen as people use it: on a phone, with a screen reader's checks (axe-core),
// by keyboard only, and opened offline.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { LANGUAGES } from '../build/common/i18n/catalogue.js';
import { MB, useHarness, type Harness } from './harness.ts';

const harness = useHarness();
let app: Harness;
test.beforeEach(() => {
  app = harness();
});

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now, as "rule: target" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over CDP, which the app's CSP does not govern (an injected <script> would be refused).
  await page.evaluate(await axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[]; failureSummary: string }> }> }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} (${node.failureSummary.split('\n').slice(1, 2).join('').trim()})`));
  });
  return found;
}

test('on a 390 px phone, a 120-character name mid-upload never makes the page wider than the screen', async () => {
  await app.page.setViewportSize({ width: 390, height: 844 });
  const name = `${'field-report-from-the-north-quarry-'.repeat(4).slice(0, 116)}.mp4`;
  expect(name.length).toBe(120);
  await app.uploadMidway(name, 6 * MB, MB);
  await expect(app.row(name)).toHaveAttribute('data-state', 'uploading');
  // With everything the header can hold (the Install button appears when Chromium offers it).
  await app.page.evaluate(() => void (document.querySelector<HTMLElement>('#install')!.hidden = false));
  expect(await app.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const row = await app.row(name).boundingBox();
  expect(row!.x + row!.width).toBeLessThanOrEqual(390);
  // The name ends in an ellipsis instead of pushing the state and the bar off-screen.
  // The stem is cut and the extension stays in view ("field-report-from-….mp4").
  const nameCell = app.row(name).locator('.name .stem');
  await expect(app.row(name).locator('.name .ext')).toBeInViewport();
  expect(await nameCell.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  await expect(app.row(name).locator('.state')).toBeInViewport();
  app.proxy.throttle(undefined);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core finds nothing serious or critical, ${colorScheme}: idle, mid-upload, and with a failure shown`, async () => {
    await app.page.emulateMedia({ colorScheme });
    await app.open();
    expect(await seriousViolations(app.page), 'idle').toEqual([]);
    // Lowered after the page read the limit, so the server itself refuses the large file.
    await app.replaceServer({ MAX_UPLOAD_BYTES: String(20 * MB) });

    app.proxy.throttle(MB);
    const file = await app.makeFile('survey.mp4', 8 * MB);
    const tooBig = await app.makeFile('too-big.mov', 21 * MB);
    await app.pick([file, tooBig]);
    await expect(app.row(file.name)).toHaveAttribute('data-state', 'uploading');
    await expect(app.row(tooBig.name)).toHaveAttribute('data-state', 'failed');
    expect(await seriousViolations(app.page), 'mid-upload, with a failure shown').toEqual([]);

    await app.row(file.name).getByRole('button', { name: 'Pause' }).click();
    await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');
    expect(await seriousViolations(app.page), 'paused').toEqual([]);
    app.proxy.throttle(undefined);
  });
}

test('by keyboard alone: pick, pause, resume, cancel and undo, with the focus always on a sensible control', async () => {
  await app.open();
  app.proxy.throttle(MB);
  const file = await app.makeFile('keyboard.bin', 8 * MB);
  // The focus inside <ferry-uploads> is its shadow root's activeElement (the document's is the element).
  const focused = () => app.page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('aria-label') ?? active?.id ?? active?.tagName;
  });

  const tabTo = async (label: string) => {
    for (let i = 0; i < 10 && (await focused()) !== label; i++) await app.page.keyboard.press('Tab');
    expect(await focused()).toBe(label);
  };
  // Tab to the file input (inside the drop zone) and open the chooser with the keyboard. The chooser is
  // awaited before tabbing: Playwright turns on Chromium's chooser interception asynchronously, and a
  // Space pressed before it is on opened the headless native dialog, which never reports (CI, once).
  const chooser = app.page.waitForEvent('filechooser');
  await tabTo('picker');
  await app.page.keyboard.press('Space');
  await (await chooser).setFiles(file.path);
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'uploading');

  await tabTo(`Pause “${file.name}”`);
  await app.page.keyboard.press('Enter');
  await expect(app.row(file.name)).toHaveAttribute('data-state', 'paused');
  await expect.poll(focused).toBe(`Resume “${file.name}”`);
  await app.page.keyboard.press('Enter');
  await expect.poll(focused).toBe(`Pause “${file.name}”`);
  await tabTo(`Cancel “${file.name}”`);
  await app.page.keyboard.press('Enter');
  await expect.poll(focused).toBe(`Undo “${file.name}”`);
  await app.page.keyboard.press('Enter');
  await expect.poll(focused).toBe(`Pause “${file.name}”`);
  await expect(app.row(file.name)).not.toHaveAttribute('data-state', 'paused');
  app.proxy.throttle(undefined);
  await app.expectDone(file);
});

test('a picture shows as a thumbnail; a file named .jpg that is no picture keeps its label, not a blank tile', async () => {
  await app.open();
  // A 1 × 1 PNG.
  const picture = await app.makeFileOf('site-plan.png', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
  const notPicture = await app.makeFile('not-a-photo.jpg', 50_000);
  await app.pick([picture, notPicture]);
  const tileOf = (name: string) => app.page.locator('#completed li.file', { hasText: name }).locator('.kind');
  await expect(tileOf('site-plan.png')).toHaveClass(/thumbnail/);
  await expect(tileOf('not-a-photo.jpg')).toHaveText('JPG');
  // Given time to load, the undrawable one still has its label.
  await app.page.waitForTimeout(500);
  await expect(tileOf('not-a-photo.jpg')).toHaveText('JPG');
  await expect(tileOf('not-a-photo.jpg')).not.toHaveClass(/thumbnail/);
  for (const file of [picture, notPicture]) expect(await app.storedShaOf(await app.idOf(file.name))).toBe(file.sha256);
});

test('the app opened offline lists the files finished earlier, and says when it last checked', async () => {
  await app.open();
  const files = [await app.makeFile('scan-1.pdf', 300_000), await app.makeFile('scan-2.pdf', 200_000)];
  await app.pick(files);
  for (const file of files) await app.expectDone(file);
  await expect(app.page.locator('#completed li')).toHaveCount(2);
  // Each finished file is listed once: in the server's list, with its badge, not also as a queue row.
  await expect(app.row(files[0]!.name)).toBeHidden();
  await expect(app.page.locator('#completed li .badge').first()).toHaveText('Verified');

  const offline = await app.reloadOffline();
  await expect(app.page.locator('#completed li')).toHaveCount(2);
  await expect(app.page.locator('#completed-empty')).toBeHidden();
  await expect(app.page.locator('#completed-note')).toContainText('last checked');
  await expect(app.page.locator('#banner')).toContainText('You are offline');
  await offline.online();
});

test('each of the five languages renders with no key missing, sets <html lang>, and is kept across a reload', async () => {
  await app.open();
  await app.replaceServer({ MAX_UPLOAD_BYTES: String(2 * MB) });
  // A row, a failure and the finished list, so that their sentences are on screen too.
  const file = await app.makeFile('язык.bin', 300_000);
  const tooBig = await app.makeFile('too-big.bin', 3 * MB);
  await app.pick([file, tooBig]);
  await app.expectDone(file);
  await expect(app.row(tooBig.name)).toHaveAttribute('data-state', 'failed');
  for (const language of ['ru', 'uk', 'es', 'ja', 'en'] as const) {
    await app.page.locator('#language').selectOption(language);
    await expect(app.page.locator('html')).toHaveAttribute('lang', language);
    await expect(app.page.locator('#queue-title')).toHaveText(LANGUAGES[language]['uploads.title']);
    await expect(app.row(tooBig.name).locator('.state')).toHaveText(LANGUAGES[language]['state.failed']);
    const text = await app.page.locator('body').innerText();
    expect(text, `${language}: a key with no text`).not.toContain('⟦');
  }
  await app.page.locator('#language').selectOption('ja');
  await app.page.reload();
  await expect(app.page.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(app.row(tooBig.name).locator('.message')).toContainText('サーバー');
});
