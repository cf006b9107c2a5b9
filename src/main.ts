// Placeholder page: registers the service worker and says whether it is in control.
import { Workbox } from 'workbox-window';
import './styles.css';

const statusLine = document.querySelector<HTMLParagraphElement>('#worker-status');

function show(text: string): void {
  if (statusLine) statusLine.textContent = text;
}

if ('serviceWorker' in navigator) {
  const wb = new Workbox('/sw.js', { scope: '/' });
  wb.register()
    .then(() => navigator.serviceWorker.ready)
    .then(() => show('The background worker is ready.'))
    .catch(() => show('The background worker could not start in this browser.'));
} else {
  show('This browser has no service workers, so background uploads are not available.');
}
