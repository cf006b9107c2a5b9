// By hand (issue 33): how far an upload goes with its only tab closed, and when it moves.
//   node build/bench/closed-tab.js [--push] [--minutes 20] [--mb 100] [--rate 100000]
// A 100 MB file through the fault proxy at 100 KB/s; the tab closes 20 s after the pick; the browser
// stays open with nothing attached to the worker. With --push, the owner's push subscription points at a
// relay here that delivers each push the server sends over CDP (ServiceWorker.deliverPushMessage), as
// FCM would: headless Chromium cannot subscribe to a real push service here. Prints the moving windows.
import { createECDH, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CdpBrowser } from '../testkit/cdp-pipe.js';
import { FaultProxy } from '../testkit/fault-proxy.js';
import { forkFerry } from '../testkit/ferry.js';
import { ownerCookieOf, progressOf } from '../testkit/server-view.js';

const { values } = parseArgs({ options: { push: { type: 'boolean', default: false }, minutes: { type: 'string', default: '20' }, mb: { type: 'string', default: '100' }, rate: { type: 'string', default: '100000' } } });
const size = Number(values.mb) * 1_000_000;
const deadline = Date.now() + Number(values.minutes) * 60_000;

const relay = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(201).end();
    void deliver?.();
  });
});
await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
let deliver: (() => Promise<void>) | undefined;
let registrationId: string | undefined;

const ferry = await forkFerry({ env: { PUSH: values.push ? '1' : '0', PUSH_ENDPOINTS: relayUrl } });
const proxy = await new FaultProxy(ferry.port).listen();
// Plain CDP, attached to the app's page only: Playwright attaches to service workers and keeps them alive.
const browser = await CdpBrowser.launch();
const folder = await mkdtemp(path.join(os.tmpdir(), 'ferry-closed-tab-'));
const pushes: number[] = [];
const inScreen = (expression: string) => `(document.querySelector("ferry-uploads")?.shadowRoot ?? document)${expression}`;
try {
  await browser.send('Browser.grantPermissions', { origin: proxy.url, permissions: ['notifications'] });
  // A blank tab keeps the browser open once the app's tab is closed.
  const { targetId: holderId } = await browser.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const page = await browser.openPage(proxy.url);
  while (!(await browser.evaluate<boolean>(page, `document.body?.dataset.ready === 'true'`).catch(() => false))) await new Promise((resolve) => setTimeout(resolve, 200));
  proxy.throttle(Number(values.rate));
  const file = path.join(folder, 'field-video.bin');
  await writeFile(file, randomBytes(size));
  await browser.setInputFile(page, '#picker', file);
  const pickedAt = Date.now();
  while ((await browser.evaluate<number>(page, inScreen(`.querySelectorAll('li.upload').length`))) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  const id = await browser.evaluate<string>(page, inScreen(`.querySelector('li.upload').dataset.id`));
  const cookie = ownerCookieOf((await browser.send<{ cookies: Array<{ name: string; value: string }> }>('Storage.getCookies')).cookies);
  if (values.push) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const subscription = { endpoint: `${relayUrl}/push/one`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    const saved = await fetch(`${ferry.url}/push-subscriptions`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(subscription) });
    if (saved.status !== 204) throw new Error(`the subscription was refused: ${saved.status}`);
    // The ServiceWorker domain is enabled on the blank tab only while a push is delivered, as a push service would deliver it.
    const { sessionId: holder } = await browser.send<{ sessionId: string }>('Target.attachToTarget', { targetId: holderId, flatten: true });
    type Registrations = { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> };
    const ours = (event: Registrations) => event.registrations.find((registration) => registration.scopeURL.startsWith(proxy.url) && !registration.isDeleted);
    const found = browser.waitForEvent<Registrations>('ServiceWorker.workerRegistrationUpdated', (event) => ours(event) !== undefined);
    await browser.send('ServiceWorker.enable', {}, holder);
    registrationId = ours(await found)!.registrationId;
    await browser.send('ServiceWorker.disable', {}, holder);
    deliver = async () => {
      pushes.push(Math.round((Date.now() - pickedAt) / 1000));
      await browser.send('ServiceWorker.enable', {}, holder);
      await browser.send('ServiceWorker.deliverPushMessage', { origin: proxy.url, registrationId: registrationId!, data: '{"type":"ferry:continue"}' }, holder).catch((error: unknown) => console.error('push not delivered:', error));
      await browser.send('ServiceWorker.disable', {}, holder);
    };
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, pickedAt + 20_000 - Date.now())));
  await browser.closePage(page);
  console.log(`tab closed at 20 s; ${values.push ? 'pushes relayed over CDP' : 'no push (Background Sync only)'}`);

  // Sample what the server has each second; a window is a run of seconds in which it grew.
  const windows: Array<[number, number]> = [];
  let last = -1;
  let received = 0;
  while (Date.now() < deadline) {
    received = (await progressOf(ferry.url, cookie, id)).received;
    const at = Math.round((Date.now() - pickedAt) / 1000);
    if (received > last && last >= 0) {
      const open = windows.at(-1);
      if (open && at - open[1] <= 2) open[1] = at;
      else windows.push([at - 1, at]);
    }
    last = received;
    if (received >= size) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const complete = received >= size;
  console.log(`moving windows (s after the pick): ${windows.map(([from, to]) => `${from}–${to}`).join(', ')}`);
  console.log(`pushes delivered at (s): ${pushes.join(', ') || 'none'}`);
  console.log(`${complete ? 'complete' : 'not complete'}: ${(received / 1e6).toFixed(1)} of ${size / 1e6} MB after ${Math.round((Date.now() - pickedAt) / 1000)} s`);
} finally {
  await browser.close();
  await proxy.close();
  await ferry.close();
  relay.close();
  await rm(folder, { recursive: true, force: true });
}
