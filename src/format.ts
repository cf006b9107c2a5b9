// How an upload reads on screen, in a given language: pure functions, unit-tested without a browser.
import { describe, formatDuration, formatSize, translate, type Language } from '../common/i18n/catalogue.js';
import type { UploadView } from '../common/messages.js';

export function formatTimeLeft(language: Language, seconds: number): string {
  return translate(language, 'row.timeLeft', { time: formatDuration(language, seconds) });
}

/** "12.4 MB of 80 MB · 3.1 MB/s · 20 s left" */
export function progressLine(language: Language, upload: UploadView): string {
  const parts = [translate(language, 'row.progress', { done: formatSize(language, upload.offset), total: formatSize(language, upload.size) })];
  // "Reconnecting…" says the bytes stopped: no speed from before then.
  if (upload.state === 'uploading' && upload.rate > 0 && upload.notice?.key !== 'notice.reconnecting') {
    parts.push(formatSize(language, upload.rate, true));
    if (upload.etaSeconds !== undefined && upload.offset < upload.size) parts.push(formatTimeLeft(language, upload.etaSeconds));
  }
  return parts.join(' · ');
}

/**
 * The sentence under a row: the worker's notice, with a countdown while a retry is scheduled, and, for
 * an upload that is not moving, how long the browser keeps its file. Without Background Sync, an upload
 * that waits for the network also waits for Ferry to be open, and says so.
 */
export function statusMessage(language: Language, upload: UploadView, now: number, backgroundSync = true): string {
  const said = upload.notice ? describe(language, upload.notice) : '';
  const kept = upload.keptUntil !== undefined && upload.state !== 'uploading' && upload.state !== 'queued'
    ? ` ${translate(language, 'row.keptUntil', { date: new Intl.DateTimeFormat(language, { day: 'numeric', month: 'long' }).format(upload.keptUntil) })}`
    : '';
  const whileOpen = upload.state === 'waiting-for-network' && !backgroundSync ? ` ${translate(language, 'row.whileOpen')}` : '';
  if (upload.state === 'waiting-for-network' && upload.retryAt !== undefined) {
    const seconds = Math.ceil((upload.retryAt - now) / 1000);
    const base = said || translate(language, 'notice.offline');
    return `${base} ${seconds > 0 ? translate(language, 'row.retryIn', { time: formatDuration(language, seconds) }) : translate(language, 'row.retryNow')}${whileOpen}${kept}`;
  }
  return `${said}${whileOpen}${kept}`.trim();
}
