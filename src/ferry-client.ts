// Ferry's own app registers its worker (over workbox-window, for updates) and then connects to it
// as any host would (<pkg>/client, docs/embed.md).
import { Workbox } from 'workbox-window';
import { connectFerry, type FerryClient } from './client/index.js';

/** Register the app's worker, wait until it is active, and connect. */
export async function startFerry(): Promise<FerryClient> {
  const wb = new Workbox('/sw.js', { scope: '/' });
  try {
    await wb.register();
  } catch (error) {
    // Offline, the update check fails; a worker that already runs the page is all we need.
    if (!navigator.serviceWorker.controller) throw error;
  }
  return connectFerry({ registration: await navigator.serviceWorker.ready });
}
