// The host's page: its own list, Ferry's client only. A token comes from the host's backend; when the
// server starts refusing it, the page asks for a new one and hands it to every unfinished upload.
import { connectFerry } from 'ferry-uploader/client';

async function freshToken() {
  const response = await fetch('/token', { method: 'POST' });
  return (await response.json()).token;
}

await navigator.serviceWorker.register('/sw.js', { type: 'module' });
const ferry = await connectFerry();
let token = localStorage.getItem('token') ?? (await freshToken());
localStorage.setItem('token', token);

const list = document.querySelector('#uploads');
let refreshing = false;
ferry.subscribe(async (uploads) => {
  list.replaceChildren(...uploads.map((upload) => {
    const item = document.createElement('li');
    item.dataset.id = upload.id;
    item.dataset.state = upload.state;
    item.textContent = `${upload.name}: ${upload.state}, ${upload.offset} of ${upload.size} bytes`;
    return item;
  }));
  if (!refreshing && uploads.some((upload) => upload.state === 'needs-credentials')) {
    refreshing = true;
    token = await freshToken();
    localStorage.setItem('token', token);
    await ferry.setHeaders({ authorization: `Bearer ${token}` });
    refreshing = false;
  }
});

document.querySelector('#files').addEventListener('change', async (event) => {
  const files = [...event.target.files];
  event.target.value = '';
  await ferry.add(files, { metadata: { project: 'north-field', picker: 'example' }, headers: { authorization: `Bearer ${token}` } });
});
document.body.dataset.ready = 'true';
