// Signs in (this app's own session), then hands picked files to Ferry's worker with a case number.
import { connectFerry } from 'ferry-uploader/client';

const user = new URLSearchParams(location.search).get('user') ?? 'alice';
await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
await navigator.serviceWorker.register('/worker.js', { type: 'module' });
const ferry = await connectFerry();
const rows = document.querySelector('#rows');
ferry.subscribe((uploads) => {
  rows.replaceChildren(...uploads.map(({ id, name, state, offset, size }) => {
    const row = rows.insertRow();
    Object.assign(row.dataset, { id, state });
    for (const text of [name, state, `${offset} / ${size}`]) row.insertCell().textContent = text;
    return row;
  }));
});
document.querySelector('#pick').addEventListener('change', (event) => {
  void ferry.add(event.target.files, { metadata: { case: 'C-1042' } });
});
document.body.dataset.ready = 'true';
