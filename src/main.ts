// The page: pick or drop files, hand them to the worker, watch every upload.
import { CONCURRENCY_CHOICES, type UploadView, type WorkerMessage } from '../common/messages.js';
import { parseTarget } from '../common/target.js';
import { destinationSentence, loadAppConfig } from './app-config.js';
import { FerryClient } from './ferry-client.js';
import { CompletedView } from './ui/completed-view.js';
import { QueueView, type Action } from './ui/queue-view.js';
import { StorageView } from './ui/storage-view.js';
import { TokensView } from './ui/tokens-view.js';
import './styles.css';

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

function notice(text: string): void {
  const item = document.createElement('li');
  item.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'quiet';
  close.textContent = 'Dismiss';
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
    banner.textContent = 'You are offline. Your files are kept in this browser and continue when the connection is back.';
  } else if (!serverReachable) {
    banner.textContent = 'The server cannot be reached. Your files are kept in this browser and continue when it is back.';
  } else if (waiting) {
    banner.textContent = 'Some uploads are waiting to retry. They resume by themselves; nothing is lost.';
  } else {
    banner.textContent = '';
  }
  banner.hidden = banner.textContent === '';
  clearFinished.hidden = !queue?.hasFinished();
}

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
    banner.textContent = 'This browser cannot upload in the background (no service workers). Try a current Chrome, Edge, Firefox or Safari.';
    banner.hidden = false;
    return;
  }
  const [client, config] = await Promise.all([FerryClient.start(), loadAppConfig()]);
  const target = parseTarget(config.target);
  // Only Ferry's own server lists finished files; elsewhere the section says where they went.
  const elsewhere = destinationSentence(target);
  if (elsewhere) completed.showElsewhere(elsewhere);
  const act = (action: Action, id: string) => void client[action](id);
  queue = new QueueView($('#queue'), $('#queue-empty'), act);
  queue.hideListed(listed);
  const rows = queue;

  client.subscribe((message: WorkerMessage) => {
    switch (message.type) {
      case 'ferry:update':
        rows.update(message.upload);
        if (message.upload.state === 'done') {
          void refreshCompleted();
          void storage.refresh();
        } else {
          storage.refreshNowAndThen();
        }
        break;
      case 'ferry:removed':
        rows.remove(message.id);
        break;
    }
    showNetwork(rows.all());
  });

  const refreshCompleted = async () => {
    if (elsewhere) return;
    serverReachable = await completed.refresh();
    showNetwork(rows.all());
  };
  // While the server is out of reach, look again now and then, so the banner clears by itself.
  setInterval(() => {
    if (!serverReachable) void refreshCompleted();
  }, 5000);

  const enqueue = async (files: Iterable<File>) => {
    void storage.requestPersistence();
    for (const file of files) {
      const answer = await client.enqueue(file, config.target);
      if (!answer.ok) notice(answer.error);
    }
    void storage.refresh();
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
  window.addEventListener('online', () => void refreshCompleted());
  window.addEventListener('offline', () => showNetwork(rows.all()));

  rows.replaceAll(await client.hello());
  showNetwork(rows.all());
  await Promise.all([refreshCompleted(), storage.refresh()]);
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  banner.textContent = `The uploader could not start: ${error instanceof Error ? error.message : String(error)}. Reload the page to try again.`;
  banner.hidden = false;
});
