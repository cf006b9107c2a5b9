// connectFerry: a page's client of the Ferry engine in its service worker. It never registers a
// worker and assumes no path: it binds to the worker that controls the page's scope.
import { describe } from '../../common/i18n/catalogue.js';
import type { EnqueueReply, PageMessage, UploadView, WorkerMessage } from '../../common/messages.js';
import { uploadOptionsProblem } from '../../common/upload-options.js';
import type { AddOptions, FerryClient, UploadEvent } from './types.js';

export type * from './types.js';

// docs/design.md §3.8: an open page keeps the worker's event leases coming, so it is never killed mid-upload.
const HEARTBEAT_MS = 25_000;

export interface ConnectOptions {
  /** The registration to use; by default the one whose scope covers this page. */
  registration?: ServiceWorkerRegistration;
}

/** A client bound to the page's active service worker; rejects, saying how, when no worker is registered. */
export async function connectFerry(options: ConnectOptions = {}): Promise<FerryClient> {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) throw new Error('connectFerry: this browser has no service workers (or the page is not served over https or from localhost)');
  const found = options.registration ?? (await navigator.serviceWorker.getRegistration());
  if (!found) {
    throw new Error("connectFerry: no service worker is registered for this page. Register one that calls installFerry() first, e.g. await navigator.serviceWorker.register('/sw.js', { type: 'module' })");
  }
  const registration = found.active ? found : await navigator.serviceWorker.ready;
  return new Connection(registration);
}

class Connection implements FerryClient {
  private readonly known = new Map<string, UploadView>();
  private readonly lists = new Set<(uploads: UploadView[]) => void>();
  private readonly changes = new Set<(event: UploadEvent) => void>();
  private readonly loaded: Promise<void>;
  private listQueued = false;
  private readonly undo: Array<() => void> = [];

  constructor(private readonly registration: ServiceWorkerRegistration) {
    const container = navigator.serviceWorker;
    this.listen(container, 'message', (event) => this.received((event as MessageEvent).data));
    container.startMessages();
    const timer = setInterval(() => void this.post({ type: 'ferry:heartbeat' }).catch(() => undefined), HEARTBEAT_MS);
    this.undo.push(() => clearInterval(timer));
    // The worker gets no online events of its own (docs/design.md §3.7); pass ours on so it retries at once.
    this.listen(window, 'online', () => void this.post({ type: 'ferry:online' }).catch(() => undefined));
    // A page shown again may have been frozen or suspended with its worker (iOS does both within
    // seconds of leaving the app, docs/browsers.md): wake the worker now rather than at the next heartbeat.
    this.listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.post({ type: 'ferry:heartbeat' }).catch(() => undefined);
    });
    this.loaded = (this.post({ type: 'ferry:hello' }) as Promise<UploadView[]>).then((all) => {
      // Updates that arrived before the answer are newer than it.
      for (const upload of all) if (!this.known.has(upload.id)) this.known.set(upload.id, upload);
    });
  }

  async add(files: Iterable<File | Blob> | ArrayLike<File | Blob> | File | Blob, options?: AddOptions): Promise<string[]> {
    const replies = await this.addEach(files instanceof Blob ? [files] : files, options);
    const refused = replies.flatMap((reply) => (reply.ok ? [] : [describe('en', reply.notice)]));
    if (refused.length > 0) throw new Error(`add: ${refused.join(' ')}`);
    return replies.map((reply) => (reply.ok ? reply.id : ''));
  }

  async addEach(files: Iterable<File | Blob> | ArrayLike<File | Blob>, options: AddOptions = {}): Promise<EnqueueReply[]> {
    const list = Array.from(files as Iterable<unknown>);
    if (list.length === 0) return [];
    const stranger = list.find((file) => !(file instanceof Blob));
    if (stranger !== undefined) throw new TypeError(`add: each file must be a File or a Blob, got ${describeValue(stranger)}`);
    const problem = uploadOptionsProblem(options);
    if (problem) throw new TypeError(`add: ${problem}`);
    const asFiles = list.map((blob) => (blob instanceof File ? blob : new File([blob as Blob], 'blob', { type: (blob as Blob).type, lastModified: Date.now() })));
    return (await this.post({ type: 'ferry:enqueue', files: asFiles, ...options })) as EnqueueReply[];
  }

  subscribe(listener: (uploads: UploadView[]) => void): () => void {
    this.lists.add(listener);
    void this.loaded.then(() => {
      if (this.lists.has(listener)) listener(this.list());
    });
    return () => this.lists.delete(listener);
  }

  async uploads(): Promise<UploadView[]> {
    await this.loaded;
    return this.list();
  }

  onChange(listener: (event: UploadEvent) => void): () => void {
    this.changes.add(listener);
    return () => this.changes.delete(listener);
  }

  pause = (id: string) => this.control({ type: 'ferry:pause', id });
  resume = (id: string) => this.control({ type: 'ferry:resume', id });
  retry = (id: string) => this.control({ type: 'ferry:retry', id });
  cancel = (id: string) => this.control({ type: 'ferry:cancel', id });
  clearFinished = () => this.control({ type: 'ferry:clear-finished' });
  setConcurrency = (value: number) => this.control({ type: 'ferry:set-concurrency', value });
  setLanguage = (value: Parameters<FerryClient['setLanguage']>[0]) => this.control({ type: 'ferry:set-language', value });
  settings = () => this.post({ type: 'ferry:get-settings' }) as ReturnType<FerryClient['settings']>;
  storedFile = (id: string) => this.post({ type: 'ferry:stored-file', id }) as Promise<Blob | undefined>;

  async setHeaders(headers: Record<string, string>, options: { target?: string } = {}): Promise<void> {
    const problem = uploadOptionsProblem({ headers, ...options });
    if (problem) throw new TypeError(`setHeaders: ${problem}`);
    await this.control({ type: 'ferry:set-headers', headers, ...options });
  }

  close(): void {
    for (const step of this.undo.splice(0)) step();
    this.lists.clear();
    this.changes.clear();
  }

  /** The whole list, oldest first, as the worker last said. */
  private list(): UploadView[] {
    return [...this.known.values()].sort((a, b) => a.addedAt - b.addedAt);
  }

  private received(data: unknown): void {
    const message = data as WorkerMessage | undefined;
    let event: UploadEvent;
    if (message?.type === 'ferry:update') {
      this.known.set(message.upload.id, message.upload);
      event = { type: 'changed', upload: message.upload };
    } else if (message?.type === 'ferry:removed') {
      this.known.delete(message.id);
      event = { type: 'removed', id: message.id };
    } else {
      return;
    }
    for (const listener of this.changes) listener(event);
    // Changes in one task reach list listeners once.
    if (this.lists.size === 0 || this.listQueued) return;
    this.listQueued = true;
    queueMicrotask(() => {
      this.listQueued = false;
      const all = this.list();
      for (const listener of this.lists) listener(all);
    });
  }

  private async control(message: PageMessage): Promise<void> {
    await this.post(message);
  }

  /** Send to the active worker on a MessageChannel, and resolve with its reply (or reject with its error). */
  private post(message: PageMessage): Promise<unknown> {
    const worker = this.registration.active;
    if (!worker) return Promise.reject(new Error('connectFerry: the service worker is no longer active'));
    return new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event: MessageEvent) => {
        channel.port1.close();
        const reply = event.data as { ok?: unknown; error?: unknown } | undefined;
        if (reply?.ok === false && typeof reply.error === 'string') reject(new Error(reply.error));
        else resolve(event.data);
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  private listen(target: EventTarget, type: string, listener: (event: Event) => void): void {
    target.addEventListener(type, listener);
    this.undo.push(() => target.removeEventListener(type, listener));
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'an object';
}
