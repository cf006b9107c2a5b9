// Messages from pages cross a trust boundary: check their shape before acting on them.
import { isLanguage } from '../common/i18n/catalogue.js';
import { CONCURRENCY_CHOICES, type PageMessage } from '../common/messages.js';

const WITH_ID = new Set(['ferry:pause', 'ferry:resume', 'ferry:cancel', 'ferry:retry']);
const BARE = new Set(['ferry:hello', 'ferry:clear-finished', 'ferry:online', 'ferry:heartbeat', 'ferry:get-settings']);

export function readPageMessage(data: unknown): PageMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type } = data as { type?: unknown };
  if (typeof type !== 'string') return undefined;
  if (BARE.has(type)) return data as PageMessage;
  if (WITH_ID.has(type)) return typeof (data as { id?: unknown }).id === 'string' ? (data as PageMessage) : undefined;
  if (type === 'ferry:set-concurrency') {
    const { value } = data as { value?: unknown };
    return (CONCURRENCY_CHOICES as readonly unknown[]).includes(value) ? (data as PageMessage) : undefined;
  }
  if (type === 'ferry:set-language') return isLanguage((data as { value?: unknown }).value) ? (data as PageMessage) : undefined;
  if (type === 'ferry:set-digests') return typeof (data as { value?: unknown }).value === 'boolean' ? (data as PageMessage) : undefined;
  if (type === 'ferry:enqueue') {
    const { files, target } = data as { files?: unknown; target?: unknown };
    const filesOk = Array.isArray(files) && files.length > 0 && files.every((file) => file instanceof File);
    return filesOk && (target === undefined || typeof target === 'string') ? (data as PageMessage) : undefined;
  }
  return undefined;
}
