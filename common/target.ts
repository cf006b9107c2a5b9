// Where uploads go (UPLOAD_TARGET): this Ferry server, a tus 1.0 server, or a server of the
// IETF Resumable Uploads draft. The server reads it, the page learns it at start-up, and each
// upload keeps the one it was picked with, so a changed setting never splits a file.

/** IETF draft interop versions the worker speaks: 6 (draft-05), 8, and 9 (draft 12 on). `ietf:` alone is 8. */
export const IETF_INTEROP_VERSIONS = ['6', '8', '9'] as const;
export type IetfInterop = (typeof IETF_INTEROP_VERSIONS)[number];

export type UploadTarget =
  /** `base`: where a Ferry server is mounted (`ferry:<url>`), absolute, with no trailing slash; absent: the page's own origin. */
  | { protocol: 'ferry'; base?: string }
  | { protocol: 'tus'; endpoint: string }
  | { protocol: 'ietf'; endpoint: string; interop: IetfInterop };

export const FERRY_TARGET = 'ferry';

/** What the page reads at start-up (GET /app-config). */
export interface AppConfig {
  /** UPLOAD_TARGET as written, normalised: `ferry`, `tus:<url>`, `ietf:<url>` or `ietf@6:<url>`. */
  target: string;
  /** The largest file this server accepts (Ferry's own target only), shown before picking; larger ones are refused before they are stored. */
  maxUploadBytes?: number;
}

export class TargetError extends Error {}

/**
 * `ferry`, `ferry:<url>` (a Ferry server mounted there), `tus:<url>`, `ietf:<url>` (interop 8) or
 * `ietf@6:<url>`. The URL is the creation endpoint, http(s): absolute, or relative to `base` when
 * given (a worker's origin). Anything else is refused with a sentence saying what is accepted.
 */
export function parseTarget(raw: string, base?: string): UploadTarget {
  const text = raw.trim();
  if (text === '' || text === FERRY_TARGET) return { protocol: 'ferry' };
  const match = /^(ferry|tus|ietf)(?:@(\d+))?:(.+)$/.exec(text);
  if (!match) throw new TargetError(`the target must be ferry, ferry:<url>, tus:<url> or ietf:<url>, got "${text}"`);
  const [, protocol, version, url] = match as unknown as [string, 'ferry' | 'tus' | 'ietf', string | undefined, string];
  let endpoint: URL;
  try {
    endpoint = new URL(url, base);
  } catch {
    throw new TargetError(`the target needs ${base === undefined ? 'an absolute' : 'a'} URL after "${protocol}:", got "${url}"`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new TargetError(`the target must be an http or https URL, got "${url}"`);
  if (protocol === 'ferry') {
    if (version !== undefined) throw new TargetError('ferry targets take no version: ferry:<url>');
    return { protocol, base: endpoint.href.replace(/\/+$/, '') };
  }
  if (protocol === 'tus') {
    if (version !== undefined) throw new TargetError('tus targets take no version: tus:<url>');
    return { protocol, endpoint: endpoint.href };
  }
  const interop = version ?? '8';
  if (!(IETF_INTEROP_VERSIONS as readonly string[]).includes(interop)) {
    throw new TargetError(`the IETF draft interop versions spoken are ${IETF_INTEROP_VERSIONS.join(' and ')}, got ${interop}`);
  }
  return { protocol, endpoint: endpoint.href, interop: interop as IetfInterop };
}

export function formatTarget(target: UploadTarget): string {
  switch (target.protocol) {
    case 'ferry':
      return target.base === undefined ? FERRY_TARGET : `ferry:${target.base}`;
    case 'tus':
      return `tus:${target.endpoint}`;
    case 'ietf':
      return `ietf${target.interop === '8' ? '' : `@${target.interop}`}:${target.endpoint}`;
  }
}

/** The origin the page and worker must be allowed to fetch (CSP connect-src), or undefined for this server. */
export function targetOrigin(target: UploadTarget): string | undefined {
  if (target.protocol === 'ferry') return target.base === undefined ? undefined : new URL(target.base).origin;
  return new URL(target.endpoint).origin;
}
