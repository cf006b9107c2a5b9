// Ferry's server inside an Express 5 app with its own sessions (examples/express-host), built from the
// packed tarball: Ferry's worker and tus-js-client upload into it through cut connections, the app's
// hook hears each upload once, users do not see each other's files, and refusals are the host's.
import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import tus from 'tus-js-client';
import { useExample } from './packed-example.ts';

const MB = 1_000_000;
const current = useExample('express-host', (dir) => ({ DATA_DIR: dir }));

/** The app's own sign-in: the session cookie of `user`. */
async function login(user: string): Promise<string> {
  const response = await fetch(`${current().backend.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
  return /sid=[a-f0-9]+/.exec(response.headers.get('set-cookie') ?? '')![0];
}

/** SHA-256 of what Ferry serves `cookie`'s user as upload `id`, or its status when it serves nothing. */
async function storedSha(cookie: string, id: string): Promise<string | number> {
  const response = await fetch(`${current().backend.url}/files/files/?id=${encodeURIComponent(id)}`, { headers: { cookie } });
  if (!response.ok) return response.status;
  return createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
}

async function finished(cookie: string): Promise<Array<{ id: string; owner: string; name: string; metadata: Record<string, string> }>> {
  return (await (await fetch(`${current().backend.url}/finished`, { headers: { cookie } })).json()) as never;
}

test('Ferry\'s worker (target ferry:/files) uploads into the Express app through a cut; the hook hears it once; another user sees nothing', async () => {
  const { browser, proxy, makeFile } = current();
  const page = browser.page;
  await page.goto(`${proxy.url}/?user=alice`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const file = await makeFile('interview.m4a', 'audio/mp4', 5 * MB);
  proxy.throttle(2 * MB);
  await page.setInputFiles('#pick', file.path);
  const row = page.locator('#rows tr');
  await expect.poll(async () => Number((await row.locator('td').nth(2).textContent().catch(() => '0'))?.split(' / ')[0] ?? 0), { timeout: 30_000 }).toBeGreaterThan(MB);
  proxy.cutAll();
  proxy.throttle(undefined);
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const id = (await row.getAttribute('data-id'))!;

  const alice = (await browser.context.cookies()).filter((cookie) => cookie.name === 'sid').map((cookie) => `sid=${cookie.value}`)[0]!;
  expect(await storedSha(alice, id)).toBe(file.sha256);
  await expect.poll(() => finished(alice)).toHaveLength(1);
  expect((await finished(alice))[0]).toMatchObject({ id, owner: 'alice', name: 'interview.m4a', metadata: { case: 'C-1042' } });

  const bob = await login('bob');
  expect(await storedSha(bob, id), 'another user cannot read it').toBe(404);
  expect(await (await fetch(`${current().backend.url}/files/files`, { headers: { cookie: bob } })).json(), 'nor list it').toEqual([]);
  expect(await finished(bob)).toEqual([]);
});

test('tus-js-client uploads into /files/uploads/ through a cut; onUploadCreate refuses with 403, no session is 401, and the app keeps its own routes', async () => {
  const { proxy } = current();
  const carol = await login('carol');
  const bytes = randomBytes(4 * MB);
  proxy.throttle(2 * MB);
  let cut = false;
  const url = await new Promise<string>((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(bytes, {
      endpoint: `${proxy.url}/files/uploads/`,
      headers: { cookie: carol },
      metadata: { filename: 'statement.pdf', filetype: 'application/pdf', case: 'C-7' },
      retryDelays: [0, 250, 500, 1000, 2000],
      onProgress: (sent) => {
        if (!cut && sent > MB) {
          cut = true;
          proxy.cutAll();
          proxy.throttle(undefined);
        }
      },
      onSuccess: () => resolve(upload.url!),
      onError: reject,
    });
    upload.start();
  });
  expect(cut).toBe(true);
  const id = decodeURIComponent(url.split('/').pop()!);
  expect(await storedSha(carol, id)).toBe(createHash('sha256').update(bytes).digest('hex'));
  await expect.poll(() => finished(carol)).toHaveLength(1);
  expect((await finished(carol))[0]).toMatchObject({ owner: 'carol', name: 'statement.pdf', metadata: { filename: 'statement.pdf', case: 'C-7' } });

  const tusCreate = (headers: Record<string, string>) => fetch(`${current().backend.url}/files/uploads/`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', ...headers } });
  const refused = await tusCreate({ cookie: carol, 'upload-metadata': `filename ${Buffer.from('tool.exe').toString('base64')}` });
  expect(refused.status).toBe(403);
  expect(await refused.text()).toContain('Programs cannot be attached to a case');
  expect((await tusCreate({})).status, 'no session').toBe(401);
  expect((await fetch(`${current().backend.url}/files/status`, { headers: { 'x-file-id': id } })).status, 'no session').toBe(401);
  expect(await (await fetch(`${current().backend.url}/me`, { headers: { cookie: carol } })).json()).toEqual({ user: 'carol' });
});
