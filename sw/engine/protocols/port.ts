// The protocol port: what the upload loop needs from any resumable server. Three adapters
// speak it: Ferry's own protocol, tus 1.0 and the IETF Resumable Uploads draft. Each keeps the
// loop's promises (docs/worker.md, "Protocols"): the offset comes from the server, never from
// memory; every failure is thrown as a NetworkError, a ServerError or an UploadGone.
import type { QuotaFacts } from '../../../common/protocol.js';
import type { UploadRecord } from '../record.js';
import { NetworkError, ServerError, UploadGone } from '../errors.js';
import { classify } from '../policy.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface FileFacts {
  id: string;
  size: number;
  name: string;
  type: string;
}

/** One upload as a protocol sees it: the file, its URL once a tus or IETF server made one, and what the page gave with it. */
export interface UploadRef {
  facts: FileFacts;
  url?: string;
  /** Sent on every request of the upload, under the protocol's own headers. */
  headers?: Record<string, string>;
  /** Sent with the creation (Upload-Metadata). */
  metadata?: Record<string, string>;
}

export interface Held {
  offset: number;
  complete: boolean;
  /** Bytes received including an open append's not yet verified ones, when more than `offset`. */
  received?: number;
  /** The upload's URL, when this call created it. */
  url?: string;
  /**
   * Bytes from the start the server checked against our chunk digests, from a server that keeps it
   * (Ferry's, on its filesystem store): it then verifies the file by its chunks, without a whole-file digest.
   */
  checked?: number;
}

export type AppendAnswer =
  /**
   * `verified`: the server said whether it verified the completed file (Ferry); absent when it does not say.
   * `url`: the upload's URL, when this append created it (see `createsWithFirstAppend`).
   */
  | { kind: 'ok'; offset: number; complete: boolean; verified?: boolean; url?: string }
  /** The start was not the server's offset: it says which (Ferry), or it must be asked (tus, IETF). */
  | { kind: 'conflict'; offset?: number; complete?: boolean }
  /** The body did not match its checksum: dropped, the held offset unchanged (ask again when absent). */
  | { kind: 'corrupted'; offset?: number }
  /** The whole file did not match its Repr-Digest: the server emptied the upload. */
  | { kind: 'reset' };

/** RFC 9530 digests of a chunk, as the loop makes them (Content-Digest, and Repr-Digest on the last). */
export type DigestHeaders = Record<string, string>;

export interface UploadProtocol {
  /** The server can be asked for progress while an append travels, without stopping it. Else chunks are kept short. */
  readonly pollsWhileSending: boolean;
  /** The server checks the whole file's Repr-Digest, so a completed upload is verified. */
  readonly verifiesFile: boolean;
  /** Whether chunk digests reach a server that checks them (tus: only with the checksum extension and sha256). */
  wantsDigests(signal: AbortSignal): Promise<boolean>;
  /**
   * Where the upload stands, as an offset the next append is accepted at. A protocol with upload URLs
   * creates the upload first when `upload.url` is undefined, and returns the new URL in `url`.
   */
  status(upload: UploadRef, signal: AbortSignal): Promise<Held>;
  /**
   * Whether an upload with no URL yet may skip `status` and be created by its first append, bytes
   * and all, in one request (tus creation-with-upload): a round trip less per small file. `digests`: whether
   * the append would carry them (a creation's body is not checked by them, so then it may not).
   */
  createsWithFirstAppend?(signal: AbortSignal, digests: boolean): Promise<boolean>;
  /** A progress read during an append (only where `pollsWhileSending`); promises nothing. */
  progress(upload: UploadRef, signal: AbortSignal): Promise<Held>;
  /**
   * Append `body` at `start`. A Blob slice, never an ArrayBuffer (docs/design.md §3.1: 25× slower).
   * With no `upload.url` (only where `createsWithFirstAppend`), create the upload with it.
   */
  append(upload: UploadRef, start: number, body: Blob, signal: AbortSignal, digests: DigestHeaders): Promise<AppendAnswer>;
  /** Tell the server to forget the upload (a no-op for one never created). */
  cancel(upload: UploadRef, signal: AbortSignal): Promise<void>;
}

/** The upload as a protocol sees it, from the worker's record. */
export function uploadRefOf(record: UploadRecord): UploadRef {
  const facts = { id: record.id, size: record.size, name: record.name, type: record.type };
  return {
    facts,
    ...(record.uploadUrl === undefined ? {} : { url: record.uploadUrl }),
    ...(record.headers === undefined ? {} : { headers: record.headers }),
    ...(record.metadata === undefined ? {} : { metadata: record.metadata }),
  };
}

/** The upload's own headers (a bearer token, say), then the protocol's, which win. */
export function headersFor(upload: UploadRef, own: Record<string, string>): Record<string, string> {
  return { ...upload.headers, ...own };
}

/** fetch, with a failure to get any answer thrown as a NetworkError. Cookies go only to this origin. */
export async function request(fetch: FetchLike, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** An RFC 9457 problem body, when the answer is one. */
export function problemOf(response: Response, text: string): ProblemBody | undefined {
  if (response.headers.get('content-type')?.split(';', 1)[0] !== 'application/problem+json') return undefined;
  try {
    return JSON.parse(text) as ProblemBody;
  } catch {
    return undefined;
  }
}

type ProblemBody = { type?: string; detail?: string } & Partial<Record<keyof QuotaFacts, unknown>>;

/** A quota problem's facts, when all it needs are there and well formed. */
export function quotaFactsOf(problem: ProblemBody): QuotaFacts | undefined {
  const count = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
  const quota = problem.quota;
  const limit = count(problem.limit);
  if ((quota !== 'bytes' && quota !== 'uploads' && quota !== 'files') || limit === undefined) return undefined;
  const used = count(problem.used);
  const size = count(problem.size);
  return { quota, limit, ...(used === undefined ? {} : { used }), ...(size === undefined ? {} : { size }) };
}

/** A non-negative whole number from a header, or undefined. */
export function byteCount(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  const number = Number(value.trim());
  return Number.isSafeInteger(number) ? number : undefined;
}

/** 404 or 410 for an upload URL: the server forgot it (expired, removed, or a new server). */
export function refuseGone(response: Response): void {
  if (response.status === 404 || response.status === 410) throw new UploadGone(response.status);
}

/** An answer the loop does not use, as a ServerError: a 5xx, 408 or 429 is retried, a success without what we need too. */
export async function refusal(response: Response, reason?: string, limit?: number): Promise<ServerError> {
  const text = reason ?? (await response.text().catch(() => '')).trim();
  return new ServerError(classify(response.status) === 'ok' ? 502 : response.status, text, limit);
}
