// A page holding only Ferry's upload screen, as an element: the host gives it a token and metadata.
import 'ferry-uploader/elements';

await navigator.serviceWorker.register('/sw.js', { type: 'module' });
const { token } = await (await fetch('/token', { method: 'POST' })).json();
const screen = document.querySelector('ferry-uploads');
screen.uploadOptions = { headers: { authorization: `Bearer ${token}` }, metadata: { project: 'north-field', picker: 'element' } };
// `ready` rather than the `ferry-ready` event: the screen may have drawn its list while the token came.
await screen.ready;
document.body.dataset.ready = 'true';
