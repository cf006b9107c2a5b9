import type { Notice } from '../../common/i18n/catalogue.js';
import type { QuotaFacts } from '../../common/protocol.js';
import { NetworkError, ServerError, SourceChanged } from './errors.js';

// The engine's decisions, as pure functions: how long to wait, how much to send,
// when a request has stalled, and what an answer means. Unit-tested without a browser.

const KiB = 1024;
const MiB = 1024 * KiB;

export const MIN_CHUNK = 256 * KiB;
export const MAX_CHUNK = 64 * MiB;
export const FIRST_CHUNK = MiB;
/** A chunk should take about this long at the measured rate: long enough to amortise a request, short enough to lose little. */
const CHUNK_SECONDS = 2;
/**
 * Where the server cannot be polled during an append (tus, the IETF draft), progress moves only
 * when a chunk ends: chunks of this long keep the bar moving at least once a second.
 */
export const UNPOLLED_CHUNK_SECONDS = 0.8;

/** A picked file is kept in the browser this long (from when it was picked) unless it is uploaded first. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;
/** The first retry comes almost at once: one dropped connection is usually a blip, and the bench's resume goal is 1 s. */
const FIRST_RETRY_MS = 250;

/**
 * Exponential backoff with jitter: 0.25 s, then 1 s, 2 s, 4 s … capped at 30 s, each
 * drawn from the upper half of its window so that many clients do not retry in step.
 */
export function backoffMs(failures: number, random: number = Math.random()): number {
  const ceiling = failures <= 1 ? FIRST_RETRY_MS : Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 2));
  return Math.round(ceiling * (0.5 + random / 2));
}

/** The next chunk size for a measured rate (bytes/s): about `seconds` of transfer (two by default), growing at most 4× a step. */
export function nextChunkSize(rate: number, previous: number, seconds = CHUNK_SECONDS): number {
  if (!(rate > 0)) return previous;
  const target = Math.min(rate * seconds, previous * 4);
  const clamped = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, target));
  return Math.floor(clamped / (64 * KiB)) * 64 * KiB;
}

/** Slowest rate we plan for before we have measured one (bytes/s). */
const FLOOR_RATE = 64 * KiB;
const MIN_STALL_MS = 15_000;

/** How long a chunk may take before we call it stalled: four times what the rate predicts, at least 15 s. */
export function chunkDeadlineMs(bytes: number, rate: number): number {
  const expected = (bytes / Math.max(rate, FLOOR_RATE)) * 1000;
  return Math.max(MIN_STALL_MS, Math.round(expected * 4));
}

/** With the server's offset polled twice a second, this long without any movement is a stall. */
export const NO_PROGRESS_MS = 12_000;

export type AnswerKind = 'ok' | 'conflict' | 'retry' | 'fatal';

/** What an HTTP status means to the loop (docs/design.md §2.2). */
export function classify(status: number): AnswerKind {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  // 408 and 429 are the server asking us to come back, like a 5xx.
  if (status >= 500 || status === 408 || status === 429) return 'retry';
  return 'fatal';
}

/** A sentence a person understands, for an answer that failed the upload. */
export function failureNotice(status: number, serverReason: string, limit?: number): Notice {
  const reason = serverReason.trim().split('\n', 1)[0] ?? '';
  if (status === 413 && limit !== undefined) return { key: 'notice.tooLarge', params: { limit: { bytes: limit } } };
  if (status === 413) return { key: 'notice.tooLargeReason', params: { reason } };
  if (status === 507) return { key: 'notice.outOfSpace' };
  if (status === 400) return { key: 'notice.badRequest', params: { reason } };
  if (status === 401 || status === 403) return { key: 'notice.notAllowed' };
  return reason ? { key: 'notice.refusedReason', params: { status: String(status), reason } } : { key: 'notice.refused', params: { status: String(status) } };
}

export type AfterFailure =
  /** `final`: sending again cannot help (a refusal, a changed file); the stored copy is dropped and only Remove is offered. */
  | { state: 'failed'; notice: Notice; final: boolean }
  | { state: 'waiting-for-network'; delayMs: number; notice: Notice }
  /** 401 or 403: new credentials may help, sending the same ones will not. Nothing is dropped. */
  | { state: 'needs-credentials'; notice: Notice };

/**
 * The loop's one error path: what a failed attempt (the `failures`-th in a row) leads to, `online`
 * being what the browser believes. A changed
 * file or a refusal fails the upload with a sentence; no answer, or the server asking us to come
 * back, waits and then asks the server again. Anything else is a bug, and is thrown on.
 */
export function afterFailure(error: unknown, failures: number, random?: number, online = true): AfterFailure {
  if (error instanceof SourceChanged) return { state: 'failed', notice: { key: 'notice.sourceChanged' }, final: true };
  // The server's own sentence (a quota, say), written for people.
  // A quota may free up once finished files are deleted: Retry stays, and so does the stored copy.
  if (error instanceof ServerError && (error.status === 401 || error.status === 403)) return { state: 'needs-credentials', notice: { key: 'notice.needsCredentials', params: { status: String(error.status) } } };
  if (error instanceof ServerError && error.problem !== undefined && classify(error.status) === 'fatal') {
    return { state: 'failed', notice: error.quota ? quotaNotice(error.quota) : { key: 'notice.serverSaid', params: { text: error.message } }, final: false };
  }
  if (error instanceof ServerError && classify(error.status) === 'fatal') {
    return { state: 'failed', notice: failureNotice(error.status, error.message, error.limit), final: true };
  }
  if (error instanceof ServerError) return { state: 'waiting-for-network', delayMs: backoffMs(failures, random), notice: { key: 'notice.unavailable', params: { status: String(error.status) } } };
  if (error instanceof NetworkError) {
    // The browser says it is online, so what failed is the way to the server, not the network.
    const notice: Notice = { key: online ? 'notice.unreachable' : 'notice.offline' };
    return { state: 'waiting-for-network', delayMs: backoffMs(failures, random), notice };
  }
  throw error;
}

/** A quota refusal in the reader's language, from the problem's facts. */
export function quotaNotice({ quota, limit, used, size }: QuotaFacts): Notice {
  if (quota === 'uploads') return { key: 'notice.quotaUploads', params: { count: used ?? limit } };
  if (quota === 'files') return { key: 'notice.quotaFiles', params: { count: used ?? limit } };
  if (size === undefined || used === undefined) return { key: 'notice.quotaGrew', params: { limit: { bytes: limit } } };
  return used === 0
    ? { key: 'notice.quotaFile', params: { size: { bytes: size }, limit: { bytes: limit } } }
    : { key: 'notice.quotaBytes', params: { size: { bytes: size }, limit: { bytes: limit }, used: { bytes: used } } };
}

/** Confirmed bytes per second, smoothed so that one quick or slow chunk does not swing the estimate. */
export class RateMeter {
  private rate = 0;
  private instant = 0;
  private last: { at: number; offset: number } | undefined;

  /** Record that the server held `offset` bytes at time `at` (ms). */
  sample(at: number, offset: number): void {
    const last = this.last;
    this.last = { at, offset };
    if (!last || at <= last.at || offset < last.offset) return;
    const instant = ((offset - last.offset) * 1000) / (at - last.at);
    this.instant = instant;
    // Weight by elapsed time: a sample over 2 s counts more than one over 50 ms.
    const weight = Math.min(1, (at - last.at) / 3000);
    this.rate = this.rate === 0 ? instant : this.rate + (instant - this.rate) * weight;
  }

  /** Forget the anchor (after a pause or an error) but keep the estimate. */
  restart(): void {
    this.last = undefined;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  /** The rate between the last two samples, unsmoothed (0 before two). */
  get latest(): number {
    return this.instant;
  }
}

/** Seconds left at `rate`, or undefined when it cannot be told. */
export function etaSeconds(remaining: number, rate: number): number | undefined {
  if (!(rate > 0) || remaining <= 0) return remaining <= 0 ? 0 : undefined;
  return Math.ceil(remaining / rate);
}
