// The built app, served by sirv. The worker and the HTML must always revalidate, or a
// browser keeps an old worker alive; Vite's hashed assets never change, so cache them for good.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { sendText } from './respond.js';

// The app's own policy: nothing but this origin's scripts, styles, images and fetches, and the
// upload target's origin when uploads go to another server.
export function appCsp(uploadOrigin?: string): string {
  return [
    "default-src 'self'",
    // WebAssembly (the worker's resumable SHA-256) needs wasm-unsafe-eval; JavaScript eval stays off.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${uploadOrigin ? ` ${uploadOrigin}` : ''}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const HASHED_ASSET = /^\/assets\//;

export function staticApp(dir: string, uploadOrigin?: string): (req: IncomingMessage, res: ServerResponse) => void {
  const csp = appCsp(uploadOrigin);
  const serve = existsSync(dir) ? sirvFor(dir) : undefined;
  return (req, res) => {
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
      return;
    }
    const notFound = () => sendText(res, 404, serve ? 'not found' : 'the app is not built; run npm run build', { 'cache-control': 'no-cache' });
    if (serve) serve(req, res, notFound);
    else notFound();
  };
}

function sirvFor(dir: string): ReturnType<typeof sirv> {
  return sirv(dir, {
    dev: false,
    etag: true,
    extensions: ['html'],
    setHeaders(res, pathname) {
      res.setHeader('cache-control', HASHED_ASSET.test(pathname) ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (pathname === '/sw.js') res.setHeader('service-worker-allowed', '/');
    },
  });
}
