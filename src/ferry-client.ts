// The page's typed client of the upload worker, over workbox-window.
import { Workbox } from 'workbox-window';
import type { Language } from '../common/i18n/catalogue.js';
import type { EnqueueReply, PageMessage, Settings, UploadView, WorkerMessage } from '../common/messages.js';

// docs/design.md §3.8: an open page keeps the worker's event leases coming, so it is never killed mid-upload.
const HEARTBEAT_MS = 25_000;

export class FerryClient {
  private readonly listeners = new Set<(message: WorkerMessage) => void>();

  private constructor(private readonly wb: Workbox) {
    navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as WorkerMessage | undefined;
      if (typeof data?.type === 'string' && data.type.startsWith('ferry:')) for (const listener of this.listeners) listener(data);
    });
    navigator.serviceWorker.startMessages();
    setInterval(() => void this.send({ type: 'ferry:heartbeat' }), HEARTBEAT_MS);
    // The worker gets no online events of its own (docs/design.md §3.7); pass ours on so it retries at once.
    window.addEventListener('online', () => void this.send({ type: 'ferry:online' }));
    // A page shown again may have been frozen or suspended with its worker (iOS does both within
    // seconds of leaving the app, docs/browsers.md): wake the worker now rather than at the next heartbeat.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.send({ type: 'ferry:heartbeat' });
    });
  }

  /** Register the worker and wait until it is active. */
  static async start(): Promise<FerryClient> {
    const wb = new Workbox('/sw.js', { scope: '/' });
    try {
      await wb.register();
    } catch (error) {
      // Offline, the update check fails; a worker that already runs the page is all we need.
      if (!navigator.serviceWorker.controller) throw error;
    }
    await navigator.serviceWorker.ready;
    return new FerryClient(wb);
  }

  /** Every upload the worker knows, for a page that just opened. */
  hello(): Promise<UploadView[]> {
    return this.send({ type: 'ferry:hello' }) as Promise<UploadView[]>;
  }

  /** Hand Files to the worker, bound for `target` (common/target.ts); resolves once they are stored in IndexedDB, with a reply per file. */
  enqueue(files: File[], target: string): Promise<EnqueueReply[]> {
    return this.send({ type: 'ferry:enqueue', files, target }) as Promise<EnqueueReply[]>;
  }

  pause(id: string): Promise<unknown> {
    return this.send({ type: 'ferry:pause', id });
  }

  resume(id: string): Promise<unknown> {
    return this.send({ type: 'ferry:resume', id });
  }

  cancel(id: string): Promise<unknown> {
    return this.send({ type: 'ferry:cancel', id });
  }

  retry(id: string): Promise<unknown> {
    return this.send({ type: 'ferry:retry', id });
  }

  clearFinished(): Promise<unknown> {
    return this.send({ type: 'ferry:clear-finished' });
  }

  settings(): Promise<Settings> {
    return this.send({ type: 'ferry:get-settings' }) as Promise<Settings>;
  }

  setConcurrency(value: number): Promise<unknown> {
    return this.send({ type: 'ferry:set-concurrency', value });
  }

  /** The page's language, which the worker uses for notifications when no page is open. */
  setLanguage(value: Language): Promise<unknown> {
    return this.send({ type: 'ferry:set-language', value });
  }

  subscribe(listener: (message: WorkerMessage) => void): void {
    this.listeners.add(listener);
  }

  private send(message: PageMessage): Promise<unknown> {
    return this.wb.messageSW(message satisfies PageMessage);
  }
}
