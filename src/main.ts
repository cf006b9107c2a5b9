// The page: pick or drop files, hand them to the worker, watch every upload.
import { coalesced } from '../common/coalesce.js';
import { CONCURRENCY_CHOICES, RUNNABLE, type UploadView } from '../common/messages.js';
import { parseTarget } from '../common/target.js';
import { LANGUAGE_NAMES, isLanguage, type Notice } from '../common/i18n/catalogue.js';
import { destinationSentence, loadAppConfig } from './app-config.js';
import { hasBackgroundSync } from './capabilities.js';
import type { UploadEvent } from './client/index.js';
import { startFerry } from './ferry-client.js';
import { handOverAll } from './hand-over.js';
import { applyLanguage, language, noticeText, onLanguageChange, setLanguage, t } from './i18n.js';
import { CompletedView } from './ui/completed-view.js';
import { readStoredFilesWith, rememberPicked } from './ui/file-kind.js';
import { QueueView, type Action } from './ui/queue-view.js';
import { BatchView } from './ui/batch-view.js';
import { StorageView } from './ui/storage-view.js';
import { ScreenWake } from './wake-lock.js';
import { TokensView } from './ui/tokens-view.js';
import './styles.css';

/** The list is redrawn at most this often (the bar moves ten times a second at most). */
const DRAW_EVERY_MS = 100;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

const banner = $<HTMLDivElement>('#banner');
const notices = $<HTMLUListElement>('#notices');
const picker = $<HTMLInputElement>('#picker');
const clearFinished = $<HTMLButtonElement>('#clear-finished');
// Rows of finished uploads that the server's list shows are hidden, so no file is listed twice.
let listed: ReadonlySet<string> = new Set();
let queue: QueueView | undefined;
const completed = new CompletedView($('#completed'), $('#completed-empty'), $('#completed-note'), (ids) => {
  listed = ids;
  queue?.hideListed(ids);
});
const storage = new StorageView($('#storage'));
new TokensView($('#elsewhere'));

// Without Background Sync, uploads stop soon after the last Ferry page closes: the drop zone does not
// promise they keep going, and the first pick in this browser says when they continue.
const backgroundSync = hasBackgroundSync();
const TOLD_NO_BACKGROUND = 'ferry:told-no-background-sync';
if (!backgroundSync) {
  $('#drop-hint').dataset.i18n = 'drop.hintForeground';
  $('#drop-touch-hint').dataset.i18n = 'drop.touchHintForeground';
}
applyLanguage();
const languages = $<HTMLSelectElement>('#language');
languages.replaceChildren(...Object.entries(LANGUAGE_NAMES).map(([code, name]) => new Option(name, code)));
languages.value = language();
languages.addEventListener('change', () => {
  if (isLanguage(languages.value)) setLanguage(languages.value);
});

/** Add a sentence to the notice list: a problem with a pick, or (`info`) what this browser can do. */
function notice(said: Notice, kind: 'problem' | 'info' = 'problem'): void {
  const item = document.createElement('li');
  item.classList.toggle('info', kind === 'info');
  item.textContent = noticeText(said);
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'quiet';
  close.textContent = t('notice.dismiss');
  close.addEventListener('click', () => item.remove());
  item.append(close);
  notices.append(item);
}

// navigator.onLine can say yes while nothing gets through (docs/design.md §3.7), so a failed fetch counts too.
let serverReachable = true;

function showNetwork(uploads: UploadView[]): void {
  const waiting = uploads.some((upload) => upload.state === 'waiting-for-network');
  // Offline and "the server is unreachable" are different troubles with different remedies: say which.
  if (!navigator.onLine) {
    banner.textContent = t('banner.offline');
  } else if (!serverReachable) {
    banner.textContent = t('banner.unreachable');
  } else if (waiting) {
    banner.textContent = t('banner.waiting');
  } else {
    banner.textContent = '';
  }
  banner.hidden = banner.textContent === '';
  clearFinished.hidden = !queue?.hasFinished();
  onRowsChanged(uploads);
}

/** Set by main(): the batch line and the wake lock follow the rows. */
let onRowsChanged: (uploads: UploadView[]) => void = () => undefined;

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

async function main(): Promise<void> {
  if (!('serviceWorker' in navigator)) {
    banner.textContent = t('banner.noWorker');
    banner.hidden = false;
    return;
  }
  const [client, config] = await Promise.all([startFerry(), loadAppConfig()]);
  readStoredFilesWith((id) => client.storedFile(id));
  const target = parseTarget(config.target);
  // Only Ferry's own server lists finished files; elsewhere the section says where they went.
  const elsewhere = destinationSentence(target);
  // The server's limit, before picking; a larger file is refused here rather than stored and then refused.
  const limit = $<HTMLElement>('#limit');
  const showLimit = () => {
    limit.hidden = config.maxUploadBytes === undefined;
    if (config.maxUploadBytes !== undefined) limit.textContent = t('drop.limit', { size: { bytes: config.maxUploadBytes } });
  };
  showLimit();
  if (elsewhere) completed.showElsewhere(elsewhere);
  const act = (action: Action, id: string) => void client[action](id);
  queue = new QueueView($('#queue'), $('#queue-empty'), act);
  queue.hideListed(listed);
  const rows = queue;
  const batch = new BatchView($('#batch'), $('#batch-summary'), { pauseAll: $('#pause-all'), cancelAll: $('#cancel-all') }, () => rows.all(), {
    pause: (id) => void client.pause(id),
    cancel: (id) => rows.cancelWithUndo(id),
  });
  const wake = new ScreenWake();
  if (ScreenWake.supported()) {
    const setting = $<HTMLInputElement>('#wake-lock');
    setting.checked = wake.enabled;
    setting.addEventListener('change', () => wake.setEnabled(setting.checked));
    $('#wake-lock-setting').hidden = false;
  }
  onRowsChanged = (uploads) => {
    batch.update();
    wake.uploading(uploads.some((upload) => upload.state === 'uploading' || upload.state === 'queued'));
  };
  void client.setLanguage(language());
  onLanguageChange(() => {
    void client.setLanguage(language());
    rows.redraw();
    completed.redraw();
    if (elsewhere) completed.showElsewhere(destinationSentence(target)!);
    void storage.refresh();
    showLimit();
    showNetwork(rows.all());
  });

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
    if (finished) {
      void refreshCompleted();
      void refreshStorage();
    } else {
      storage.refreshNowAndThen();
    }
    showNetwork(rows.all());
  };
  client.onChange((message: UploadEvent) => {
    if (message.type === 'changed') {
      pending.set(message.upload.id, message.upload);
      // The last upload finishing is drawn at once: nobody should wait for the word "done".
      if (message.upload.state === 'done' && !rows.all().some((other) => other.id !== message.upload.id && RUNNABLE.has(other.state))) {
        clearTimeout(drawing);
        draw();
        return;
      }
      drawing ??= setTimeout(draw, Math.max(0, drawnAt + DRAW_EVERY_MS - performance.now()));
    } else {
      pending.delete(message.id);
      rows.remove(message.id);
      showNetwork(rows.all());
    }
  });

  // Coalesced: a batch finishing file after file asks again before the last answer is in.
  const refreshCompleted = coalesced(async () => {
    if (elsewhere) return;
    serverReachable = await completed.refresh();
    showNetwork(rows.all());
  });
  const refreshStorage = coalesced(() => storage.refresh());
  // While the server is out of reach, look again now and then, so the banner clears by itself.
  setInterval(() => {
    if (!serverReachable) void refreshCompleted();
  }, 5000);

  const enqueue = async (files: Iterable<File>) => {
    void storage.requestPersistence();
    // Asked after a pick, never on load: now the reader knows what they would be told about.
    if ('Notification' in window && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    const accepted = [...files].filter((file) => {
      if (config.maxUploadBytes === undefined || file.size <= config.maxUploadBytes) return true;
      notice({ key: 'notice.tooLargeBeforePick', params: { name: file.name, limit: { bytes: config.maxUploadBytes } } });
      return false;
    });
    if (!backgroundSync && accepted.length > 0 && localStorage.getItem(TOLD_NO_BACKGROUND) === null) {
      notice({ key: 'notice.noBackgroundSync' }, 'info');
      localStorage.setItem(TOLD_NO_BACKGROUND, String(Date.now()));
    }
    await handOverAll(accepted, async (group) => {
      const answers = await client.addEach(group, { target: config.target });
      answers.forEach((answer, index) => {
        if (answer.ok) rememberPicked(answer.id, group[index]!);
        else notice(answer.notice);
      });
    });
    void refreshStorage();
  };

  picker.addEventListener('change', () => {
    const files = [...(picker.files ?? [])];
    picker.value = '';
    void enqueue(files);
  });
  // Drop anywhere on the page.
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) document.body.classList.remove('dragging');
  });
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    document.body.classList.remove('dragging');
    void enqueue([...(event.dataTransfer?.files ?? [])]);
  });
  const atOnce = $<HTMLSelectElement>('#concurrency');
  atOnce.replaceChildren(...CONCURRENCY_CHOICES.map((value) => new Option(String(value), String(value))));
  atOnce.value = String((await client.settings()).concurrency);
  atOnce.addEventListener('change', () => void client.setConcurrency(Number(atOnce.value)));
  $('#clear-finished').addEventListener('click', () => void client.clearFinished());
  window.addEventListener('online', () => {
    rows.redraw();
    void refreshCompleted();
  });
  window.addEventListener('offline', () => {
    rows.redraw();
    showNetwork(rows.all());
  });

  rows.replaceAll(await client.uploads());
  showNetwork(rows.all());
  await Promise.all([refreshCompleted(), storage.refresh()]);
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  banner.textContent = t('banner.failedStart', { detail: error instanceof Error ? error.message : String(error) });
  banner.hidden = false;
});
