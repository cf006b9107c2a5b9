// While uploads run with no page open: one notification, updated in place ("Uploading 3 files · 412 MB
// of 1.2 GB", with Pause all), closed when the work ends (each upload's own "Uploaded" or "failed" says
// the rest). And where nothing will wake the worker again (the browser's last sync, or no push), an
// honest last word: "2 uploads paused: open Ferry to finish them".
import { translate, type Language } from '../../common/i18n/catalogue.js';
import { RUNNABLE, type UploadView } from '../../common/messages.js';
import type { ResolvedWorkerOptions } from './options.js';

declare const self: ServiceWorkerGlobalScope;

type Settings = Exclude<ResolvedWorkerOptions['notifications'], false>;

export const PROGRESS_TAG = 'ferry:progress';
export const PAUSED_TAG = 'ferry:paused';
/** The progress notification's one action. */
export const PAUSE_ALL_ACTION = 'pause-all';
/** Updated at most this often: each update redraws a system notification. */
const EVERY_MS = 5000;

export interface ProgressSource {
  snapshot(): Promise<UploadView[]>;
  language(): Promise<Language>;
}

export class ProgressNotice {
  private shownAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** One change at a time: a show that read the uploads before one ended must not land after the close. */
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly settings: Settings, private readonly source: ProgressSource) {}

  /** An upload moved with no page open: say where the uploads are, now or within EVERY_MS. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.show();
    }, Math.max(0, this.shownAt + EVERY_MS - Date.now()));
  }

  /**
   * An upload ended with no page open: the progress notification is brought up to date (closed when
   * nothing is left) at once, before `say` shows the upload's own word, so the two never stand together.
   */
  ended(say: () => Promise<void>): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.inTurn(async () => {
      await this.render();
      await say();
    });
  }

  /** Show (or update, or close when nothing is left) the progress notification. */
  show(): Promise<void> {
    return this.inTurn(() => this.render());
  }

  private inTurn(work: () => Promise<void>): Promise<void> {
    this.turn = this.turn.then(work).catch(() => undefined);
    return this.turn;
  }

  private async render(): Promise<void> {
    if (!permitted()) return;
    this.shownAt = Date.now();
    const uploads = await this.source.snapshot();
    const going = uploads.filter((upload) => RUNNABLE.has(upload.state));
    if (going.length === 0) return close(PROGRESS_TAG);
    const language = await this.source.language();
    const bytes = { done: { bytes: going.reduce((sum, upload) => sum + upload.offset, 0) }, total: { bytes: going.reduce((sum, upload) => sum + upload.size, 0) } };
    // One upload is named: "Uploading harbour.mov · 3.2 MB of 10 MB".
    const title = going.length === 1 ? translate(language, 'notify.progressOne', { name: going[0]!.name, ...bytes }) : translate(language, 'notify.progress', { count: going.length, ...bytes });
    await close(PAUSED_TAG);
    await this.notify(title, translate(language, 'notify.progressBody'), PROGRESS_TAG, [{ action: PAUSE_ALL_ACTION, title: translate(language, 'notify.pauseAll') }]);
  }

  /** Nothing will wake the worker again: leave one notification saying what waits, and how to go on. */
  lastWord(): Promise<void> {
    return this.inTurn(async () => {
      if (!permitted()) return;
      const waiting = (await this.source.snapshot()).filter((upload) => RUNNABLE.has(upload.state) || upload.state === 'paused');
      await close(PROGRESS_TAG);
      if (waiting.length === 0) return;
      const language = await this.source.language();
      await this.notify(translate(language, 'notify.paused', { count: waiting.length }), translate(language, 'notify.pausedBody'), PAUSED_TAG, []);
    });
  }

  private async notify(title: string, body: string, tag: string, actions: Array<{ action: string; title: string }>): Promise<void> {
    const options = {
      body, tag, silent: true, renotify: false, actions,
      data: { url: this.settings.url ?? self.registration.scope },
      ...(this.settings.icon ? { icon: this.settings.icon } : {}),
    };
    await self.registration.showNotification(title, options).catch(() => undefined);
  }
}

function permitted(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

async function close(tag: string): Promise<void> {
  for (const notification of await self.registration.getNotifications({ tag }).catch(() => [])) notification.close();
}
