/// <reference lib="webworker" />
// Ferry's own service worker: the app shell's precache, taking over at once, and the upload engine
// as any host would add it (docs/embed.md).
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import { installFerry } from './worker/index.js';

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

// Its log goes to console.debug: hidden unless asked for (DevTools' Verbose level), kept by the e2e tests.
installFerry({ notifications: { icon: '/icons/icon-192.png', url: '/' }, log: (message, detail) => (detail ? console.debug(message, detail) : console.debug(message)) });
