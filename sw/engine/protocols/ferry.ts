// Ferry's own protocol (docs/protocol.md): GET /status and POST /upload named by X-File-Id,
// over an injected fetch so that unit tests can script the network. The only protocol whose
// server can be asked for progress during an append without stopping it (X-Progress-Poll).
import { Header, Problem, Route } from '../../../common/protocol.js';
import { encodeUploadMetadata } from '../../../common/upload-options.js';
import { ServerError } from '../errors.js';
import { classify } from '../policy.js';
import { byteCount, problemOf, quotaFactsOf, request, type AppendAnswer, type DigestHeaders, type FetchLike, type Held, type UploadProtocol, type UploadRef, headersFor } from './port.js';

export class FerryProtocol implements UploadProtocol {
  readonly pollsWhileSending = true;
  readonly verifiesFile = true;

  constructor(private readonly fetch: FetchLike, private readonly base = '') {}

  async wantsDigests(): Promise<boolean> {
    return true;
  }

  /** GET /status: an offset the next append is accepted at (the server stops a live append of ours first). */
  status(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    return this.held(upload, signal, false);
  }

  /** A progress poll: reads a live append's offsets without stopping it, and is promised nothing. */
  progress(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    return this.held(upload, signal, true);
  }

  /** POST /upload of `body` at `start`. */
  async append(upload: UploadRef, start: number, body: Blob, signal: AbortSignal, digests: DigestHeaders): Promise<AppendAnswer> {
    const file = upload.facts;
    const response = await request(this.fetch, `${this.base}${Route.upload}`, {
      method: 'POST',
      headers: headersFor(upload, {
        [Header.fileId]: file.id,
        [Header.startByte]: String(start),
        // We never mean to restart: after a whole-file mismatch the server has already emptied the upload.
        [Header.noRestart]: '1',
        [Header.fileSize]: String(file.size),
        [Header.fileName]: encodeURIComponent(file.name),
        ...(file.type ? { [Header.fileType]: file.type } : {}),
        // With the append that may create the upload; the server keeps it for its hooks and its list.
        ...(start === 0 && upload.metadata ? { 'upload-metadata': encodeUploadMetadata(upload.metadata) } : {}),
        ...digests,
      }),
      body,
      signal,
    });
    const text = await response.text();
    const problem = problemOf(response, text);
    // Damaged bytes dropped: this body's, or (a refused proof) those past the checked mark.
    if (problem?.type === Problem.contentDigestMismatch || problem?.type === Problem.checkedDigestMismatch) return { kind: 'corrupted', offset: offsetOf(response, '') };
    if (problem?.type === Problem.reprDigestMismatch) return { kind: 'reset' };
    // Past a quota: the server's sentence says what to do, and sending again will not help.
    if (problem?.type === Problem.quotaExceeded) throw new ServerError(response.status, problem.detail ?? text.trim(), undefined, problem.type, quotaFactsOf(problem));
    const kind = classify(response.status);
    if (kind === 'retry' || kind === 'fatal') throw new ServerError(response.status, text.trim(), byteCount(response.headers.get(Header.uploadLimit)));
    const complete = response.headers.get(Header.uploadComplete) === '1';
    const verified = complete && kind === 'ok' && response.headers.get(Header.uploadVerified) === '1';
    return { kind, offset: offsetOf(response, text), complete, ...(verified ? { verified } : {}) };
  }

  /** DELETE /upload: the server forgets the upload and its bytes. */
  async cancel(upload: UploadRef, signal: AbortSignal): Promise<void> {
    const response = await request(this.fetch, `${this.base}${Route.upload}`, { method: 'DELETE', headers: headersFor(upload, { [Header.fileId]: upload.facts.id }), signal });
    if (response.status !== 204 && response.status !== 200) throw new ServerError(response.status, await response.text());
  }

  private async held(upload: UploadRef, signal: AbortSignal, progressOnly: boolean): Promise<Held> {
    const headers = headersFor(upload, { [Header.fileId]: upload.facts.id, ...(progressOnly ? { [Header.progressPoll]: '1' } : {}) });
    const response = await request(this.fetch, `${this.base}${Route.status}`, { method: 'GET', headers, signal });
    const text = await response.text();
    if (response.status !== 200) throw new ServerError(response.status, text.trim());
    const received = byteCount(response.headers.get(Header.uploadReceived));
    const checked = byteCount(response.headers.get(Header.uploadChecked));
    return {
      offset: offsetOf(response, text),
      complete: response.headers.get(Header.uploadComplete) === '1',
      ...(received === undefined ? {} : { received }),
      ...(checked === undefined ? {} : { checked }),
    };
  }
}

function offsetOf(response: Response, text: string): number {
  const raw = response.headers.get(Header.uploadOffset) ?? text.trim();
  const offset = byteCount(raw);
  if (offset === undefined) throw new ServerError(response.status, `the server sent no usable offset ("${raw.slice(0, 40)}")`);
  return offset;
}
