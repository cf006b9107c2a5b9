// The host's own service worker: Workbox caches its pages, and Ferry uploads in the background.
import { registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import { installFerry } from 'ferry-uploader/worker';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

registerRoute(({ request }) => request.mode === 'navigate', new NetworkFirst({ cacheName: 'pages' }));
registerRoute(({ request }) => request.destination === 'script' || request.destination === 'style', new CacheFirst({ cacheName: 'assets' }));

installFerry({
  target: 'tus:/files/',
  databaseName: 'example-uploads',
  notifications: false,
});
