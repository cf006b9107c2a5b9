// Ferry's own app: its header, the upload screen as any host would use it (<ferry-uploads>), tokens
// for uploading from elsewhere, and drops anywhere on the page.
import { LANGUAGE_NAMES, isLanguage } from '../common/i18n/catalogue.js';
import { loadAppConfig } from './app-config.js';
import './elements/index.js';
import { startFerry } from './ferry-client.js';
import { applyLanguage, language, onLanguageChange, setLanguage, t } from './i18n.js';
import { TokensView } from './ui/tokens-view.js';
import './styles.css';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

const showLanguage = () => {
  document.documentElement.lang = language();
  applyLanguage(document);
};
showLanguage();
onLanguageChange(showLanguage);
new TokensView($('#elsewhere'));
const languages = $<HTMLSelectElement>('#language');
languages.replaceChildren(...Object.entries(LANGUAGE_NAMES).map(([code, name]) => new Option(name, code)));
languages.value = language();
languages.addEventListener('change', () => {
  if (isLanguage(languages.value)) setLanguage(languages.value);
});

// "Install": offered only when the browser says the app can be installed, never on its own.
type InstallPrompt = Event & { prompt(): Promise<void> };
const install = $<HTMLButtonElement>('#install');
let installPrompt: InstallPrompt | undefined;
window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  installPrompt = event as InstallPrompt;
  install.hidden = false;
});
install.addEventListener('click', () => {
  install.hidden = true;
  void installPrompt?.prompt();
  installPrompt = undefined;
});

function failed(detail: string): void {
  const banner = $<HTMLDivElement>('#app-banner');
  banner.textContent = detail;
  banner.hidden = false;
}

async function main(): Promise<void> {
  if (!('serviceWorker' in navigator)) return failed(t('banner.noWorker'));
  // The worker is registered (and the target known) before the screen connects to it.
  const [, config] = await Promise.all([startFerry(), loadAppConfig()]);
  const screen = document.createElement('ferry-uploads');
  screen.setAttribute('target', config.target);
  if (config.maxUploadBytes !== undefined) screen.setAttribute('max-upload-bytes', String(config.maxUploadBytes));
  screen.addEventListener('ferry-ready', () => (document.body.dataset.ready = 'true'));
  screen.addEventListener('ferry-error', (event) => failed(t('banner.failedStart', { detail: String((event as CustomEvent).detail) })));
  $('#screen').replaceWith(screen);
  // The limit is read again when the app comes back to the front or online, and every minute: a server
  // restarted with another MAX_UPLOAD_BYTES showed the old one until a reload.
  const showLimit = (maxUploadBytes: number | undefined) => {
    if (maxUploadBytes === undefined) screen.removeAttribute('max-upload-bytes');
    else screen.setAttribute('max-upload-bytes', String(maxUploadBytes));
  };
  const reread = () => void loadAppConfig().then((again) => showLimit(again.maxUploadBytes));
  window.addEventListener('online', reread);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && reread());
  setInterval(reread, 60_000);

  // Drop anywhere on the page: the whole window says where a drop goes, and the screen takes the files.
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
    screen.classList.add('dragging');
  });
  const leave = () => {
    document.body.classList.remove('dragging');
    screen.classList.remove('dragging');
  };
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) leave();
  });
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    leave();
    void screen.add([...(event.dataTransfer?.files ?? [])]);
  });
}

main().catch((error: unknown) => failed(t('banner.failedStart', { detail: error instanceof Error ? error.message : String(error) })));
