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
// One console line a burst, not one a state change: each console call from a worker is a message to the
// browser (and to DevTools when attached), and 900 of them held a batch of 300 photos 8% longer.
const LOG_BURST_MS = 250;
let logLines: string[] = [];
let logFlush: ReturnType<typeof setTimeout> | undefined;
function log(message: string, detail?: Record<string, unknown>): void {
  logLines.push(`${new Date().toISOString().slice(11, 23)} ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
  logFlush ??= setTimeout(() => {
    console.debug(logLines.join('\n'));
    logLines = [];
    logFlush = undefined;
  }, LOG_BURST_MS);
}

installFerry({ notifications: { icon: '/icons/icon-192.png', url: '/' }, log });
