// The IETF Resumable Uploads draft, interop versions 6 (draft-05) and 8: the upload is created
// by a POST with Upload-Complete: ?0, its URL kept with the record; HEAD asks the offset, PATCH
// of application/partial-upload appends, the last with Upload-Complete: ?1 and the file's
// Repr-Digest. The draft says not to ask for the offset while a transfer runs, so chunks are short.
import { Problem } from '../../../common/protocol.js';
import type { IetfInterop } from '../../../common/target.js';
import { encodeUploadMetadata } from '../../../common/upload-options.js';
import { ServerError, UploadGone } from '../errors.js';
import { byteCount, problemOf, refusal, refuseGone, request, type AppendAnswer, type DigestHeaders, type FetchLike, type Held, type UploadProtocol, type UploadRef, headersFor } from './port.js';

const PARTIAL_UPLOAD = 'application/partial-upload';

export class IetfProtocol implements UploadProtocol {
  readonly pollsWhileSending = false;
  // A draft server may ignore Repr-Digest; only Ferry's own says it checked (a mismatch empties the upload).
  readonly verifiesFile = false;

  constructor(private readonly fetch: FetchLike, private readonly endpoint: string, private readonly interop: IetfInterop) {}

  async wantsDigests(): Promise<boolean> {
    return true;
  }

  async status(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    if (upload.url === undefined) return this.create(upload, signal);
    const response = await request(this.fetch, upload.url, { method: 'HEAD', headers: this.headers(upload), signal });
    refuseGone(response);
    if (response.status !== 204 && response.status !== 200) throw await refusal(response, undefined, maxSizeOf(response));
    const offset = offsetOf(response);
    const length = byteCount(response.headers.get('upload-length'));
    if (length !== undefined && length !== upload.facts.size) throw new UploadGone(response.status);
    return { offset, complete: response.headers.get('upload-complete') === '?1' };
  }

  progress(): Promise<Held> {
    return Promise.reject(new Error('the draft asks clients not to poll an upload during a transfer'));
  }

  async append(upload: UploadRef, start: number, body: Blob, signal: AbortSignal, digests: DigestHeaders): Promise<AppendAnswer> {
    const last = start + body.size === upload.facts.size;
    const response = await request(this.fetch, upload.url!, {
      method: 'PATCH',
      headers: { ...this.headers(upload), 'content-type': PARTIAL_UPLOAD, 'upload-offset': String(start), 'upload-complete': last ? '?1' : '?0', ...digests },
      body,
      signal,
    });
    refuseGone(response);
    if (response.status === 409) return { kind: 'conflict' };
    if (response.status !== 204 && response.status !== 200) {
      const text = await response.text().catch(() => '');
      const problem = problemOf(response, text);
      // Ferry's own server names digest mismatches; other servers ignore the digests or refuse with 400.
      if (problem?.type === Problem.contentDigestMismatch) return { kind: 'corrupted' };
      if (problem?.type === Problem.reprDigestMismatch) return { kind: 'reset' };
      throw await refusal(response, problem?.detail ?? text.trim(), maxSizeOf(response));
    }
    const offset = offsetOf(response);
    return { kind: 'ok', offset, complete: response.headers.get('upload-complete') === '?1' || (last && offset === upload.facts.size && response.status === 200) };
  }

  async cancel(upload: UploadRef, signal: AbortSignal): Promise<void> {
    if (upload.url === undefined) return;
    const response = await request(this.fetch, upload.url, { method: 'DELETE', headers: this.headers(upload), signal });
    if (response.status !== 204 && response.status !== 200 && response.status !== 404 && response.status !== 410) throw await refusal(response);
  }

  /** An empty POST that starts the upload: Upload-Complete: ?0 (unless the file is empty), its length and name. */
  private async create(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    const { facts } = upload;
    const empty = facts.size === 0;
    const response = await request(this.fetch, this.endpoint, {
      method: 'POST',
      headers: {
        ...this.headers(upload),
        // Not in the draft: the page's metadata as tus carries it (Ferry's server keeps it; docs/embed.md).
        ...(upload.metadata ? { 'upload-metadata': encodeUploadMetadata(upload.metadata) } : {}),
        'upload-complete': empty ? '?1' : '?0',
        'upload-length': String(facts.size),
        'content-disposition': `attachment; filename*=UTF-8''${encodeRfc5987(facts.name)}`,
        ...(facts.type ? { 'content-type': facts.type } : {}),
      },
      signal,
    });
    const location = response.headers.get('location');
    if ((response.status !== 201 && response.status !== 200) || !location) {
      throw await refusal(response, location ? undefined : 'the server sent no Location', maxSizeOf(response));
    }
    const offset = byteCount(response.headers.get('upload-offset')) ?? 0;
    return { offset, complete: response.headers.get('upload-complete') === '?1', url: new URL(location, this.endpoint).href };
  }

  private headers(upload: UploadRef): Record<string, string> {
    return headersFor(upload, { 'upload-draft-interop-version': this.interop });
  }
}

function offsetOf(response: Response): number {
  const offset = byteCount(response.headers.get('upload-offset'));
  if (offset === undefined) throw new ServerError(response.status, 'the server sent no Upload-Offset');
  return offset;
}

/** Upload-Limit: max-size=N, …, on a refusal of a file too large. */
function maxSizeOf(response: Response): number | undefined {
  return byteCount(/(?:^|,)\s*max-size=(\d+)/.exec(response.headers.get('upload-limit') ?? '')?.[1] ?? null);
}

/** RFC 8187 ext-value characters: percent-encode all but attr-char. */
function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
