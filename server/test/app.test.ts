// The built app as the server serves it: policies and caching.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distDir, startServer, type TestServer } from './helpers.js';

describe('serving the app', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('serves the HTML with a strict Content-Security-Policy, revalidated on every load', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, 'no inline or eval scripts; WebAssembly only');
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.doesNotMatch(await response.text(), /<script>(?!<\/script>)/, 'the page has no inline script the policy would block');
  });

  it('serves sw.js no-cache and hashed assets as immutable', async () => {
    const worker = await fetch(`${server.url}/sw.js`);
    assert.equal(worker.status, 200);
    assert.equal(worker.headers.get('cache-control'), 'no-cache');
    assert.match(worker.headers.get('content-type') ?? '', /javascript/);
    assert.doesNotMatch(await worker.text(), /\bexport\s*\{/, 'sw.js evaluates as a classic worker');

    const [asset] = (await readdir(path.join(distDir, 'assets'))).filter((name) => name.endsWith('.js'));
    const hashed = await fetch(`${server.url}/assets/${asset}`);
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  it('serves the manifest and its icons', async () => {
    const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json() as { icons: Array<{ src: string }> };
    for (const icon of manifest.icons) {
      const response = await fetch(`${server.url}/${icon.src}`);
      assert.equal(response.status, 200, icon.src);
      assert.equal(response.headers.get('content-type'), 'image/png');
    }
  });

  it('answers unknown paths with 404 and never lists the data directory', async () => {
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    assert.equal((await fetch(`${server.url}/../data`)).status, 404);
    assert.equal((await fetch(`${server.url}/%2e%2e/package.json`)).status, 404);
  });

  it('tells the app where uploads go: this server by default', async () => {
    const response = await fetch(`${server.url}/app-config`);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { target: 'ferry', maxUploadBytes: 64 * 1024 ** 3 });
    assert.match((await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '', /connect-src 'self';/);
  });
});

describe('serving the app with uploads going to a tus server', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ UPLOAD_TARGET: 'tus:https://tus.example:1080/files/' })));
  after(() => server.close());

  it('names the target in /app-config, and lets the page and the worker connect to its origin only', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/app-config`)).json(), { target: 'tus:https://tus.example:1080/files/' });
    for (const file of ['/', '/sw.js']) {
      const csp = (await fetch(`${server.url}${file}`)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /connect-src 'self' https:\/\/tus\.example:1080;/, file);
    }
  });
});
