// A plain service worker: Ferry's engine, uploading to the Ferry server this app mounts at /files.
import { installFerry } from 'ferry-uploader/worker';

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
installFerry({ target: 'ferry:/files', databaseName: 'casework-uploads' });
