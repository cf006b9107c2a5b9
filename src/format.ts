// How numbers read on screen. Decimal units, as file managers and phones show sizes.
import { formatBytes } from '../common/format.js';
import type { UploadState, UploadView } from '../common/messages.js';

export const formatRate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`;

export function formatTimeLeft(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** "12.4 MB of 80 MB · 3.1 MB/s · 20 s left" */
export function progressLine(upload: UploadView): string {
  const parts = [`${formatBytes(upload.offset)} of ${formatBytes(upload.size)}`];
  if (upload.state === 'uploading' && upload.rate > 0) {
    parts.push(formatRate(upload.rate));
    if (upload.etaSeconds !== undefined && upload.offset < upload.size) parts.push(formatTimeLeft(upload.etaSeconds));
  }
  return parts.join(' · ');
}

export const STATE_LABELS: Record<UploadState, string> = {
  queued: 'Queued',
  uploading: 'Uploading',
  'waiting-for-network': 'Waiting',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
};

/** The sentence under a row: the worker's message, with a countdown while a retry is scheduled. */
export function statusMessage(upload: UploadView, now: number): string {
  if (upload.state === 'waiting-for-network' && upload.retryAt !== undefined) {
    const seconds = Math.ceil((upload.retryAt - now) / 1000);
    const base = upload.message ?? 'Waiting for the network.';
    return seconds > 0 ? `${base} Retrying in ${seconds} s.` : `${base} Retrying now.`;
  }
  return upload.message ?? '';
}

/** "5 minutes ago", "yesterday": how long ago `then` was, in the page's language. */
export function relativeTime(then: number, now: number, locale?: string): string {
  const seconds = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}

