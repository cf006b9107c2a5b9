// Page ↔ service worker: the messages, the settings, and an upload as the pages see it
// (docs/design.md §2). The worker's own record, with its saved hash state, never leaves the worker.
import type { Language, Notice } from './i18n/catalogue.js';

/**
 * The states of one upload in the worker's loop. `needs-credentials`: the server answered 401 or 403;
 * the upload waits, its stored copy kept, until a page gives new headers (`setHeaders`) or retries.
 */
export type UploadState = 'queued' | 'uploading' | 'waiting-for-network' | 'needs-credentials' | 'paused' | 'done' | 'failed';

/** States in which an upload wants the network. */
export const RUNNABLE: ReadonlySet<UploadState> = new Set(['queued', 'uploading', 'waiting-for-network']);

/** An upload as the pages see it: what the worker confirmed and measured, and nothing of its inner state. */
export interface UploadView {
  id: string;
  name: string;
  /** The file's media type, as the browser gave it. */
  type: string;
  size: number;
  state: UploadState;
  /** Bytes the server confirmed. */
  offset: number;
  /** A sentence for people, when the upload failed, is waiting or was verified. */
  notice?: Notice;
  /** Epoch ms of the next retry, while waiting. */
  retryAt?: number;
  /** Failed for good (a refusal, a changed file): only Remove is offered. */
  final?: boolean;
  /** Epoch ms until which the picked file is kept in the browser, while it is not done. */
  keptUntil?: number;
  addedAt: number;
  /** Epoch ms when the server had every byte, once done: the finished rows go newest first by it. */
  completedAt?: number;
  /** Bytes per second, from server-confirmed offsets. */
  rate: number;
  /** Seconds left at the current rate, when it can be told. */
  etaSeconds?: number;
  /** What the page gave with the file (`add(files, { metadata })`). */
  metadata?: Record<string, string>;
}

/** What a page may give with the files it adds. */
export interface UploadOptions {
  /** Where they go (common/target.ts); the worker's default when absent. */
  target?: string;
  /** Sent to the server with each upload: tus Upload-Metadata, Ferry's and the IETF creation alike (docs/embed.md). */
  metadata?: Record<string, string>;
  /** Sent on every request of each upload (creation, status, append, cancel); kept with it. */
  headers?: Record<string, string>;
}

/** Messages a page sends to the worker. Each gets a reply on its MessageChannel port. */
export type PageMessage =
  | { type: 'ferry:hello' }
  /** Files picked together, with what the page gives with them (kept by each). Answered with an EnqueueReply per file. */
  | ({ type: 'ferry:enqueue'; files: File[] } & UploadOptions)
  /** New headers for every unfinished upload (bound for `target`, when given). */
  | { type: 'ferry:set-headers'; headers: Record<string, string>; target?: string }
  /** The browser's copy of a picked file, while the worker keeps one: a Blob, or undefined. */
  | { type: 'ferry:stored-file'; id: string }
  | { type: 'ferry:pause'; id: string }
  | { type: 'ferry:resume'; id: string }
  | { type: 'ferry:cancel'; id: string }
  | { type: 'ferry:retry'; id: string }
  | { type: 'ferry:clear-finished' }
  | { type: 'ferry:get-settings' }
  | { type: 'ferry:set-concurrency'; value: number }
  /** Integrity digests on (the default) or off; off exists only so the benchmark can measure their cost. */
  | { type: 'ferry:set-digests'; value: boolean }
  /** The page's language, for what the worker says with no page open (notifications). */
  | { type: 'ferry:set-language'; value: Language }
  | { type: 'ferry:online' }
  | { type: 'ferry:heartbeat' };

export type EnqueueReply = { ok: true; id: string } | { ok: false; notice: Notice };

/** The worker's settings, kept in IndexedDB. */
export interface Settings {
  /** How many uploads run at once. */
  concurrency: number;
  /** Send Content-Digest and Repr-Digest with appends. */
  digests: boolean;
  /** The language of the last page that said, for notifications. */
  language?: Language;
}

export const DEFAULT_SETTINGS: Settings = { concurrency: 3, digests: true };
export const CONCURRENCY_CHOICES = [1, 2, 3, 4, 6] as const;

/** Messages the worker broadcasts to every open page. A page that opens asks with `ferry:hello`. */
export type WorkerMessage =
  | { type: 'ferry:update'; upload: UploadView }
  | { type: 'ferry:removed'; id: string };
