// The upload screen's behaviour inside <ferry-uploads>: hand picked or dropped files to the worker,
// draw every upload from the client's events, and say what the network and the browser allow.
import { coalesced } from '../../common/coalesce.js';
import { CONCURRENCY_CHOICES, RUNNABLE, type UploadView } from '../../common/messages.js';
import { parseTarget, type UploadTarget } from '../../common/target.js';
import type { Notice } from '../../common/i18n/catalogue.js';
import type { AddOptions, FerryClient, UploadEvent } from '../client/index.js';
import { destinationSentence } from '../app-config.js';
import { hasBackgroundSync } from '../capabilities.js';
import { handOverAll } from '../hand-over.js';
import { applyLanguage, language, noticeText, onLanguageChange, t } from '../i18n.js';
import { Announcer } from '../ui/announcer.js';
import { QuotaLine } from '../ui/quota-line.js';
import { BatchView } from '../ui/batch-view.js';
import { CompletedView } from '../ui/completed-view.js';
import { readStoredFilesWith, rememberPicked } from '../ui/file-kind.js';
import { QueueView } from '../ui/queue-view.js';
import { StorageView } from '../ui/storage-view.js';
import { ScreenWake } from '../wake-lock.js';

/** The list is redrawn at most this often (the bar moves ten times a second at most). */
const DRAW_EVERY_MS = 100;
const TOLD_NO_BACKGROUND = 'ferry:told-no-background-sync';

export interface ScreenSettings {
  /** Where picked files go (`ferry`, `ferry:<url>`, `tus:<url>`, `ietf:<url>`); undefined: the worker's default. */
  target: string | undefined;
  /** The largest file the server accepts, refused before it is stored. */
  maxUploadBytes: number | undefined;
  /** Metadata and headers for each file added, as the host sets them now. */
  options(): Omit<AddOptions, 'target'>;
}

export interface RunningScreen {
  add(files: Iterable<File>): Promise<void>;
  /** `settings.maxUploadBytes` changed: say the new limit. */
  limitChanged(): void;
}

/** Run the screen in `root` until `signal` aborts; resolves once the first list is drawn. */
export async function runScreen(root: ShadowRoot, client: FerryClient, settings: ScreenSettings, signal: AbortSignal): Promise<RunningScreen> {
  const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  const on = (target: EventTarget, type: string, listener: (event: Event) => void) => target.addEventListener(type, listener, { signal });
  const target: UploadTarget = parseTarget(settings.target ?? 'ferry', location.origin);
  const banner = $<HTMLDivElement>('#banner');
  const clearFinished = $<HTMLButtonElement>('#clear-finished');
  readStoredFilesWith((id) => client.storedFile(id));

  // Without Background Sync, uploads stop soon after the last page closes: the drop zone does not promise they keep going.
  const backgroundSync = hasBackgroundSync();
  if (!backgroundSync) {
    $('#drop-hint').dataset.i18n = 'drop.hintForeground';
    $('#drop-touch-hint').dataset.i18n = 'drop.touchHintForeground';
  }
  applyLanguage(root);

  /** Add a sentence to the notice list: a problem with a pick, or (`info`) what this browser can do. */
  const notice = (said: Notice, kind: 'problem' | 'info' = 'problem') => {
    const item = document.createElement('li');
    item.classList.toggle('info', kind === 'info');
    item.textContent = noticeText(said);
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'quiet';
    close.textContent = t('notice.dismiss');
    close.addEventListener('click', () => item.remove());
    item.append(close);
    $('#notices').append(item);
  };

  // Only Ferry's own server lists finished files; elsewhere the section says where they went.
  const elsewhere = () => destinationSentence(target);
  const said = new Announcer($('#said'));
  const rows = new QueueView($('#queue'), $('#queue-empty'), (action, id) => void client[action](id), () => showNetwork(), (text) => said.say(text));
  // A file this browser uploaded is deleted by the worker, so its finished record goes with it.
  const erase = async (id: string, onServer: () => Promise<boolean>) => {
    if (!rows.all().some((upload) => upload.id === id)) return onServer();
    await client.cancel(id);
    rows.remove(id);
    return true;
  };
  const completed = new CompletedView($('#completed'), $('#completed-empty'), $('#completed-note'), (ids) => rows.hideListed(ids), target.protocol === 'ferry' ? (target.base ?? '') : '', erase);
  if (elsewhere()) completed.showElsewhere(elsewhere()!);
  const quota = new QuotaLine($('#quota'), target.protocol === 'ferry' ? (target.base ?? '') : undefined, () => settings.options().headers ?? {});
  const storage = new StorageView($('#storage'), () => rows.all().reduce((sum, upload) => sum + (upload.state === 'done' || upload.final ? 0 : upload.size), 0));
  const limit = $<HTMLElement>('#limit');
  const showLimit = () => {
    limit.hidden = settings.maxUploadBytes === undefined;
    if (settings.maxUploadBytes !== undefined) limit.textContent = t('drop.limit', { size: { bytes: settings.maxUploadBytes } });
  };
  showLimit();
  const controls = { pauseAll: $<HTMLButtonElement>('#pause-all'), resumeAll: $<HTMLButtonElement>('#resume-all'), retryAll: $<HTMLButtonElement>('#retry-all'), cancelAll: $<HTMLButtonElement>('#cancel-all'), undoAll: $<HTMLButtonElement>('#undo-all'), bar: $<HTMLProgressElement>('#batch-bar') };
  const batch = new BatchView($('#batch'), $('#batch-summary'), controls, () => rows.all(), {
    pause: (id) => void client.pause(id),
    resume: (id) => void client.resume(id),
    retry: (id) => void client.retry(id),
    cancelTogether: (ids) => rows.cancelTogether(ids),
    undoCancel: () => rows.cancels.undoTogether(),
    cancelling: () => rows.cancels.groupSize,
    picking: () => picking > 0,
  }, (text) => said.say(text));
  let picking = 0;
  const wake = new ScreenWake();
  if (ScreenWake.supported()) {
    const setting = $<HTMLInputElement>('#wake-lock');
    setting.checked = wake.enabled;
    on(setting, 'change', () => wake.setEnabled(setting.checked));
    $('#wake-lock-setting').hidden = false;
  }

  // navigator.onLine can say yes while nothing gets through (docs/design.md §3.7), so a failed fetch counts too.
  let serverReachable = true;
  const showNetwork = () => {
    const uploads = rows.all();
    // Offline and "the server is unreachable" are different troubles with different remedies: say which.
    if (!navigator.onLine) banner.textContent = t('banner.offline');
    else if (!serverReachable) banner.textContent = t('banner.unreachable');
    else if (uploads.some((upload) => upload.state === 'waiting-for-network')) banner.textContent = t('banner.waiting');
    else banner.textContent = '';
    banner.hidden = banner.textContent === '';
    clearFinished.hidden = !rows.hasFinished();
    batch.update();
    wake.uploading(uploads.some((upload) => upload.state === 'uploading' || upload.state === 'queued'));
  };

  // Coalesced: a batch finishing file after file asks again before the last answer is in.
  const refreshCompleted = coalesced(async () => {
    if (elsewhere()) return;
    [serverReachable] = await Promise.all([completed.refresh(), quota.refresh()]);
    showNetwork();
  });
  const refreshStorage = coalesced(() => storage.refresh());
  // While the server is out of reach, look again now and then, so the banner clears by itself.
  const looking = setInterval(() => {
    if (!serverReachable) void refreshCompleted();
  }, 5000);
  // "8 seconds ago" moves on by itself.
  const ticking = setInterval(() => completed.tick(), 10_000);
  signal.addEventListener('abort', () => {
    clearInterval(looking);
    clearInterval(ticking);
  });

  const stopLanguage = onLanguageChange(() => {
    void client.setLanguage(language());
    applyLanguage(root);
    rows.redraw();
    completed.redraw();
    if (elsewhere()) completed.showElsewhere(elsewhere()!);
    void storage.refresh();
    quota.show();
    showLimit();
    showNetwork();
  });
  signal.addEventListener('abort', stopLanguage);
  void client.setLanguage(language());

  // Updates are drawn at most every DRAW_EVERY_MS, the latest of each upload: 300 photos each
  // reporting several times kept the page restyling and laying out its list without pause. The first
  // update after a quiet spell is drawn at once: a finished upload reads done when the worker says so.
  const pending = new Map<string, UploadView>();
  let drawing: ReturnType<typeof setTimeout> | undefined;
  let drawnAt = -Infinity;
  const draw = () => {
    drawing = undefined;
    drawnAt = performance.now();
    let finished = false;
    for (const upload of pending.values()) {
      rows.update(upload);
      finished ||= upload.state === 'done';
    }
    pending.clear();
    rows.arrange();
    if (finished) {
      void refreshCompleted();
      void refreshStorage();
    } else {
      storage.refreshNowAndThen();
    }
    showNetwork();
  };
  signal.addEventListener('abort', client.onChange((event: UploadEvent) => {
    if (event.type === 'removed') {
      batch.removed(rows.all().find((upload) => upload.id === event.id));
      pending.delete(event.id);
      rows.remove(event.id);
      storage.show();
      showNetwork();
      return;
    }
    pending.set(event.upload.id, event.upload);
    // The last upload finishing is drawn at once: nobody should wait for the word "done".
    if (event.upload.state === 'done' && !rows.all().some((other) => other.id !== event.upload.id && RUNNABLE.has(other.state))) {
      clearTimeout(drawing);
      draw();
      return;
    }
    drawing ??= setTimeout(draw, Math.max(0, drawnAt + DRAW_EVERY_MS - performance.now()));
  }));

  const add = async (files: Iterable<File>) => {
    void storage.requestPersistence();
    // Asked after a pick, never on load: now the reader knows what they would be told about.
    if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    const accepted = [...files].filter((file) => {
      if (settings.maxUploadBytes === undefined || file.size <= settings.maxUploadBytes) return true;
      notice({ key: 'notice.tooLargeBeforePick', params: { name: file.name, limit: { bytes: settings.maxUploadBytes } } });
      return false;
    });
    if (!backgroundSync && accepted.length > 0 && localStorage.getItem(TOLD_NO_BACKGROUND) === null) {
      notice({ key: 'notice.noBackgroundSync' }, 'info');
      localStorage.setItem(TOLD_NO_BACKGROUND, String(Date.now()));
    }
    picking += 1;
    batch.picked(accepted.length);
    try {
      await handOverAll(accepted, async (group) => {
        const answers = await client.addEach(group, { ...settings.options(), ...(settings.target === undefined ? {} : { target: settings.target }) });
        answers.forEach((answer, index) => {
          if (answer.ok) rememberPicked(answer.id, group[index]!);
          else {
            notice(answer.notice);
            batch.picked(-1); // not kept: not in the batch
          }
        });
      });
    } finally {
      picking -= 1;
      showNetwork();
    }
    void refreshStorage();
  };

  const picker = $<HTMLInputElement>('#picker');
  on(picker, 'change', () => {
    const files = [...(picker.files ?? [])];
    picker.value = '';
    void add(files);
  });
  const atOnce = $<HTMLSelectElement>('#concurrency');
  atOnce.replaceChildren(...CONCURRENCY_CHOICES.map((value) => new Option(String(value), String(value))));
  atOnce.value = String((await client.settings()).concurrency);
  on(atOnce, 'change', () => void client.setConcurrency(Number(atOnce.value)));
  on(clearFinished, 'click', () => {
    // The button goes with the finished rows: the focus goes to the first row left, else to the heading.
    const left = rows.all().find((upload) => upload.state !== 'done');
    rows.focusRow(left?.id);
    void client.clearFinished();
  });
  on(window, 'online', () => {
    rows.redraw();
    void refreshCompleted();
  });
  // A cancel still waiting for its Undo when the page goes away is carried out, not left paused.
  on(window, 'pagehide', () => rows.cancels.flush());
  on(window, 'offline', () => {
    rows.redraw();
    showNetwork();
  });

  rows.replaceAll(await client.uploads());
  showNetwork();
  await Promise.all([refreshCompleted(), storage.refresh()]);
  return { add, limitChanged: showLimit };
}
