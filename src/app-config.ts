// Where this app's uploads go, read from the server at start-up (UPLOAD_TARGET). The last answer
// is kept in localStorage, so an app opened offline still sends new files where it was told to.
import { Route } from '../common/protocol.js';
import { FERRY_TARGET, parseTarget, type AppConfig, type UploadTarget } from '../common/target.js';
import { t } from './i18n.js';

const KEPT = 'ferry:app-config';

export async function loadAppConfig(): Promise<AppConfig> {
  try {
    const response = await fetch(Route.appConfig, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    if (response.ok) {
      const config = (await response.json()) as AppConfig;
      parseTarget(config.target);
      localStorage.setItem(KEPT, JSON.stringify(config));
      return config;
    }
  } catch {
    // Offline, or an old server: fall back to what we last heard.
  }
  const kept = localStorage.getItem(KEPT);
  return kept ? (JSON.parse(kept) as AppConfig) : { target: FERRY_TARGET };
}

/** A sentence for the "On the server" section when files go to another server, which Ferry cannot list. */
export function destinationSentence(target: UploadTarget): string | undefined {
  if (target.protocol === 'ferry') return undefined;
  const host = new URL(target.endpoint).host;
  return target.protocol === 'tus' ? t('completed.elsewhereTus', { host }) : t('completed.elsewhereIetf', { host, interop: target.interop });
}
