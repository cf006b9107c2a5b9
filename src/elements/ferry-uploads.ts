// <ferry-uploads>: Ferry's upload screen as one element, in a shadow root of its own. It waits for
// the page's service worker (which calls installFerry), then connects to it.
import { isLanguage } from '../../common/i18n/catalogue.js';
import { connectFerry, type AddOptions, type FerryClient } from '../client/index.js';
import { setLanguage } from '../i18n.js';
import { runScreen, type RunningScreen, type ScreenSettings } from './screen.js';
import { SCREEN_CSS } from './styles.js';
import { SCREEN_HTML } from './template.js';

/**
 * Attributes: `lang` (en, es, ja, ru, uk; else the reader's), `target` (where files go; else the worker's
 * default), `max-upload-bytes` (larger files are refused before they are stored). Fires `ferry-ready`
 * once the first list is drawn (and resolves `ready`), and `ferry-error` (detail: the Error) if it cannot start.
 */
export class FerryUploadsElement extends HTMLElement {
  static readonly observedAttributes = ['lang', 'max-upload-bytes'];
  private readonly root: ShadowRoot;
  private running: AbortController | undefined;
  private screen: Promise<RunningScreen> | undefined;
  private settings: ScreenSettings | undefined;
  private connected: FerryClient | undefined;
  /** What every file picked or dropped here is added with: metadata, and headers such as a bearer token. */
  uploadOptions: Omit<AddOptions, 'target'> = {};
  /**
   * Resolves once the first list is drawn (as `ferry-ready` fires), rejects if the screen cannot start:
   * a host that awaits it cannot miss an event fired before its listener was added.
   */
  readonly ready: Promise<void>;
  private settleReady!: { resolve(): void; reject(error: unknown): void };

  constructor() {
    super();
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined); // also told by `ferry-error`
    this.root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(SCREEN_CSS);
    this.root.adoptedStyleSheets = [sheet];
    this.root.innerHTML = SCREEN_HTML;
  }

  /** The client this element uses, once connected. */
  get client(): FerryClient | undefined {
    return this.connected;
  }

  /** Hand files to the worker, as a pick in the element would (a host's own drop target, say). */
  async add(files: Iterable<File>): Promise<void> {
    if (!this.screen) throw new Error('<ferry-uploads> is not in the document');
    await (await this.screen).add(files);
  }

  connectedCallback(): void {
    if (this.running) return;
    this.applyLang();
    const running = (this.running = new AbortController());
    this.screen = this.start(running.signal);
    this.screen.then(
      () => {
        this.settleReady.resolve();
        this.dispatchEvent(new CustomEvent('ferry-ready', { bubbles: true, composed: true }));
      },
      (error: unknown) => {
        this.settleReady.reject(error);
        this.root.querySelector<HTMLElement>('#banner')!.textContent = error instanceof Error ? error.message : String(error);
        this.root.querySelector<HTMLElement>('#banner')!.hidden = false;
        this.dispatchEvent(new CustomEvent('ferry-error', { bubbles: true, composed: true, detail: error }));
      },
    );
  }

  disconnectedCallback(): void {
    this.running?.abort();
    this.running = undefined;
    this.screen = undefined;
    this.connected?.close();
    this.connected = undefined;
  }

  attributeChangedCallback(name: string): void {
    if (name === 'lang') this.applyLang();
    // A server restarted with another limit: the page says the new one without a reload.
    if (name === 'max-upload-bytes' && this.settings) {
      this.settings.maxUploadBytes = this.limit();
      void this.screen?.then((screen) => screen.limitChanged(), () => undefined);
    }
  }

  private limit(): number | undefined {
    const limit = Number(this.getAttribute('max-upload-bytes') ?? NaN);
    return Number.isFinite(limit) && limit > 0 ? limit : undefined;
  }

  private applyLang(): void {
    const lang = this.getAttribute('lang');
    if (isLanguage(lang)) setLanguage(lang, false);
  }

  private async start(signal: AbortSignal): Promise<RunningScreen> {
    if (!('serviceWorker' in navigator)) throw new Error('This browser cannot upload in the background: it has no service workers.');
    // The page registers its worker; connect once it is active (the element may be parsed first).
    const registration = await navigator.serviceWorker.ready;
    const client = await connectFerry({ registration });
    if (signal.aborted) {
      client.close();
      throw new Error('<ferry-uploads> left the document');
    }
    this.connected = client;
    const settings: ScreenSettings = { target: this.getAttribute('target') ?? undefined, maxUploadBytes: this.limit(), options: () => this.uploadOptions };
    this.settings = settings;
    return runScreen(this.root, client, settings, signal);
  }
}
