// Messages from pages cross a trust boundary: check their shape before acting on them.
import { isLanguage } from '../../common/i18n/catalogue.js';
import { CONCURRENCY_CHOICES, type PageMessage } from '../../common/messages.js';
import { uploadOptionsProblem } from '../../common/upload-options.js';

const WITH_ID = new Set(['ferry:pause', 'ferry:resume', 'ferry:cancel', 'ferry:retry', 'ferry:stored-file']);
const BARE = new Set(['ferry:hello', 'ferry:clear-finished', 'ferry:online', 'ferry:heartbeat', 'ferry:get-settings']);

/** The message, or a sentence saying why it is refused. */
export function readPageMessage(data: unknown): PageMessage | { refused: string } {
  const unknown = { refused: 'unknown message' };
  if (typeof data !== 'object' || data === null) return unknown;
  const { type } = data as { type?: unknown };
  if (typeof type !== 'string') return unknown;
  if (BARE.has(type)) return data as PageMessage;
  if (WITH_ID.has(type)) return typeof (data as { id?: unknown }).id === 'string' ? (data as PageMessage) : unknown;
  if (type === 'ferry:set-concurrency') {
    const { value } = data as { value?: unknown };
    return (CONCURRENCY_CHOICES as readonly unknown[]).includes(value) ? (data as PageMessage) : unknown;
  }
  if (type === 'ferry:set-language') return isLanguage((data as { value?: unknown }).value) ? (data as PageMessage) : unknown;
  if (type === 'ferry:set-digests') return typeof (data as { value?: unknown }).value === 'boolean' ? (data as PageMessage) : unknown;
  if (type === 'ferry:enqueue') {
    const { files, target, metadata, headers } = data as { files?: unknown; target?: unknown; metadata?: unknown; headers?: unknown };
    if (!(Array.isArray(files) && files.length > 0 && files.every((file) => file instanceof File))) return { refused: 'ferry:enqueue takes Files' };
    const problem = uploadOptionsProblem({ target, metadata, headers } as never);
    return problem ? { refused: problem } : (data as PageMessage);
  }
  if (type === 'ferry:set-headers') {
    const { headers, target } = data as { headers?: unknown; target?: unknown };
    const problem = headers === undefined ? 'setHeaders() needs headers' : uploadOptionsProblem({ headers, target } as never);
    return problem ? { refused: problem } : (data as PageMessage);
  }
  return unknown;
}
