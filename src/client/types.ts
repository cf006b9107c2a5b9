// What <pkg>/client hands a page: the client's shape, and the events it delivers.
import type { EnqueueReply, Settings, UploadView } from '../../common/messages.js';
import type { Language } from '../../common/i18n/catalogue.js';

export type { UploadView, UploadState, EnqueueReply, Settings } from '../../common/messages.js';

export interface AddOptions {
  /** Sent to the server with each upload (tus Upload-Metadata; docs/embed.md). Keys: no space or comma. */
  metadata?: Record<string, string>;
  /** Sent on every request of each upload, kept with it in IndexedDB (a bearer token, say). */
  headers?: Record<string, string>;
  /** Where they go (`tus:<url>`, `ietf:<url>`, `ferry:<url>`); the worker's default when absent. */
  target?: string;
}

/** One change: an upload added or changed, or one gone. */
export type UploadEvent = { type: 'changed'; upload: UploadView } | { type: 'removed'; id: string };

export interface FerryClient {
  /** Hand files to the worker; resolves to the new uploads' ids once the browser keeps its own copies. */
  add(files: Iterable<File | Blob> | ArrayLike<File | Blob> | File | Blob, options?: AddOptions): Promise<string[]>;
  /** The same, with a reply per file (a file the browser could not keep says why) instead of a rejection. */
  addEach(files: Iterable<File | Blob> | ArrayLike<File | Blob>, options?: AddOptions): Promise<EnqueueReply[]>;
  /** The whole list of uploads, once right away, then after every change. Returns the unsubscribe function. */
  subscribe(listener: (uploads: UploadView[]) => void): () => void;
  /** The whole list of uploads now, oldest first. */
  uploads(): Promise<UploadView[]>;
  /** Each change as it comes, for a page that draws upload by upload. Returns the unsubscribe function. */
  onChange(listener: (event: UploadEvent) => void): () => void;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  retry(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  /** Replace the headers of every unfinished upload (bound for `target`, when given); those waiting for credentials go on. */
  setHeaders(headers: Record<string, string>, options?: { target?: string }): Promise<void>;
  /** Forget every finished upload. */
  clearFinished(): Promise<void>;
  /** The browser's copy of a picked file, while the worker keeps one. */
  storedFile(id: string): Promise<Blob | undefined>;
  settings(): Promise<Settings>;
  setConcurrency(value: number): Promise<void>;
  /** The language the worker speaks with no page open (notifications). */
  setLanguage(value: Language): Promise<void>;
  /** Remove every listener and timer this client added. */
  close(): void;
}
