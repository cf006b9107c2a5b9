// tus 1.0 (core, creation, creation-with-upload, termination, checksum): the upload is created by
// a POST to the endpoint (with its first bytes where the server offers it), its URL kept with the
// record; HEAD asks its offset and PATCH appends. A HEAD during
// a PATCH is not safe to send: @tus/server's HEAD takes the upload's lock, which aborts the PATCH
// that holds it, so progress comes from the offset after each PATCH, and chunks are kept short.
import { encodeUploadMetadata, metadataWithFile } from '../../../common/upload-options.js';
import { ServerError, UploadGone } from '../errors.js';
import { byteCount, refusal, refuseGone, request, type AppendAnswer, type DigestHeaders, type FetchLike, type Held, type UploadProtocol, type UploadRef, headersFor } from './port.js';

const TUS_VERSION = '1.0.0';
const OFFSET_OCTETS = 'application/offset+octet-stream';

/** What the server's OPTIONS advertised. */
interface Capabilities {
  /** The server checks `Upload-Checksum: sha256 …` (checksum extension with sha256). */
  sha256: boolean;
  /** A creation may carry the first bytes (creation-with-upload). */
  withUpload: boolean;
  maxSize?: number;
}

export class TusProtocol implements UploadProtocol {
  readonly pollsWhileSending = false;
  readonly verifiesFile = false;
  private capabilities: Promise<Capabilities> | undefined;

  constructor(private readonly fetch: FetchLike, private readonly endpoint: string) {}

  async wantsDigests(signal: AbortSignal): Promise<boolean> {
    return (await this.discover(signal)).sha256;
  }

  /** Without checksums only: the tus checksum extension speaks of PATCH, and @tus/server checks none on a POST. */
  async createsWithFirstAppend(signal: AbortSignal, digests: boolean): Promise<boolean> {
    return !digests && (await this.discover(signal)).withUpload;
  }

  async status(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    if (upload.url === undefined) return this.create(upload, signal);
    const response = await request(this.fetch, upload.url, { method: 'HEAD', headers: headersFor(upload, { 'tus-resumable': TUS_VERSION }), signal });
    refuseGone(response);
    if (response.status !== 200 && response.status !== 204) throw await refusal(response);
    const offset = byteCount(response.headers.get('upload-offset'));
    if (offset === undefined) throw new ServerError(response.status, 'the tus server sent no Upload-Offset');
    const length = byteCount(response.headers.get('upload-length'));
    // A URL that now names an upload of another length is not ours any more.
    if (length !== undefined && length !== upload.facts.size) throw new UploadGone(response.status);
    return { offset, complete: offset === upload.facts.size };
  }

  progress(): Promise<Held> {
    return Promise.reject(new Error('tus servers are not polled during a PATCH'));
  }

  async append(upload: UploadRef, start: number, body: Blob, signal: AbortSignal, digests: DigestHeaders): Promise<AppendAnswer> {
    if (upload.url === undefined) return this.createWith(upload, body, signal);
    const checksum = tusChecksum(digests['content-digest']);
    const response = await request(this.fetch, upload.url!, {
      method: 'PATCH',
      headers: headersFor(upload, {
        'tus-resumable': TUS_VERSION,
        'upload-offset': String(start),
        'content-type': OFFSET_OCTETS,
        ...(checksum ? { 'upload-checksum': checksum } : {}),
      }),
      body,
      signal,
    });
    refuseGone(response);
    // "If the checksums do not match, the Server MUST respond with 460 Checksum Mismatch" and append nothing.
    if (response.status === 460) return { kind: 'corrupted' };
    if (response.status === 409) return { kind: 'conflict' };
    if (response.status !== 204 && response.status !== 200) throw await refusal(response);
    const offset = byteCount(response.headers.get('upload-offset'));
    if (offset === undefined) throw new ServerError(response.status, 'the tus server sent no Upload-Offset');
    return { kind: 'ok', offset, complete: offset === upload.facts.size };
  }

  /** Termination: DELETE the upload URL. One the server no longer knows is gone already. */
  async cancel(upload: UploadRef, signal: AbortSignal): Promise<void> {
    if (upload.url === undefined) return;
    const response = await request(this.fetch, upload.url, { method: 'DELETE', headers: headersFor(upload, { 'tus-resumable': TUS_VERSION }), signal });
    if (response.status !== 204 && response.status !== 200 && response.status !== 404 && response.status !== 410) throw await refusal(response);
  }

  private async create(upload: UploadRef, signal: AbortSignal): Promise<Held> {
    const url = await this.post(upload, undefined, signal);
    return { offset: 0, complete: upload.facts.size === 0, url: url.href };
  }

  /** Creation with upload: the POST carries the first bytes, and answers how many it kept (as a PATCH would). */
  private async createWith(upload: UploadRef, body: Blob, signal: AbortSignal): Promise<AppendAnswer> {
    const url = await this.post(upload, body, signal);
    const offset = byteCount(url.offset);
    if (offset === undefined) throw new ServerError(201, 'the tus server sent no Upload-Offset');
    return { kind: 'ok', offset, complete: offset === upload.facts.size, url: url.href };
  }

  /** POST a new upload (with `body`, creation-with-upload); its URL, and the Upload-Offset answered. */
  private async post(upload: UploadRef, body: Blob | undefined, signal: AbortSignal): Promise<{ href: string; offset: string | null }> {
    const { facts } = upload;
    const capabilities = await this.discover(signal);
    if (capabilities.maxSize !== undefined && facts.size > capabilities.maxSize) throw new ServerError(413, 'Tus-Max-Size', capabilities.maxSize);
    const response = await request(this.fetch, this.endpoint, {
      method: 'POST',
      headers: headersFor(upload, {
        'tus-resumable': TUS_VERSION,
        'upload-length': String(facts.size),
        'upload-metadata': encodeUploadMetadata(metadataWithFile(facts.name, facts.type, upload.metadata)),
        ...(body ? { 'content-type': OFFSET_OCTETS } : {}),
      }),
      ...(body ? { body } : {}),
      signal,
    });
    const location = response.headers.get('location');
    if (response.status !== 201 || !location) {
      const limit = byteCount(response.headers.get('tus-max-size')) ?? capabilities.maxSize;
      throw await refusal(response, response.status === 201 ? 'the tus server sent no Location' : undefined, limit);
    }
    return { href: new URL(location, this.endpoint).href, offset: response.headers.get('upload-offset') };
  }

  /** OPTIONS once per worker life: the checksum algorithms and the size limit. A server that refuses OPTIONS offers nothing extra. */
  private discover(signal: AbortSignal): Promise<Capabilities> {
    this.capabilities ??= request(this.fetch, this.endpoint, { method: 'OPTIONS', signal }).then((response) => {
      const extensions = list(response.headers.get('tus-extension'));
      const algorithms = list(response.headers.get('tus-checksum-algorithm'));
      const maxSize = byteCount(response.headers.get('tus-max-size'));
      return {
        sha256: extensions.includes('checksum') && algorithms.includes('sha256'),
        withUpload: extensions.includes('creation-with-upload'),
        ...(maxSize === undefined ? {} : { maxSize }),
      };
    });
    // No answer is not an answer: ask again next time.
    this.capabilities.catch(() => (this.capabilities = undefined));
    return this.capabilities;
  }
}

/** `sha-256=:B64:` (RFC 9530) as tus writes it: `sha256 B64`. */
function tusChecksum(contentDigest: string | undefined): string | undefined {
  const match = /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(contentDigest ?? '');
  return match ? `sha256 ${match[1]}` : undefined;
}

function list(value: string | null): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}
