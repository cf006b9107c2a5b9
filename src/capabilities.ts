// What this browser lets the worker do with no page open, detected rather than guessed from its name:
// the app's promises ("keep going if you close this tab") follow from it (docs/browsers.md).

/**
 * Background Sync wakes the worker with every Ferry page closed (Chromium). Firefox and Safari have
 * none: there the worker stops soon after the last page goes, and uploads wait for the app.
 */
export function hasBackgroundSync(): boolean {
  return 'serviceWorker' in navigator && typeof ServiceWorkerRegistration !== 'undefined' && 'sync' in ServiceWorkerRegistration.prototype;
}
