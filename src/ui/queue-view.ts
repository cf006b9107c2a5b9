// The list of uploads: one row per upload, updated in place as messages arrive.
import type { UploadState, UploadView } from '../../common/messages.js';
import { progressLine, STATE_LABELS, statusMessage } from '../format.js';

export type Action = 'pause' | 'resume' | 'cancel' | 'retry';

const ACTIONS: Record<UploadState, Action[]> = {
  queued: ['pause', 'cancel'],
  uploading: ['pause', 'cancel'],
  'waiting-for-network': ['retry', 'pause', 'cancel'],
  paused: ['resume', 'cancel'],
  done: [],
  failed: ['retry', 'cancel'],
};

const ACTION_LABELS: Record<Action, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel', retry: 'Retry now' };

export class QueueView {
  private readonly uploads = new Map<string, UploadView>();

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    onAction: (action: Action, id: string) => void,
  ) {
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
      const row = button?.closest<HTMLLIElement>('li[data-id]');
      if (button && row) onAction(button.dataset.action as Action, row.dataset.id!);
    });
    // Countdowns to the next retry tick even when no message arrives.
    setInterval(() => this.refreshMessages(), 1000);
  }

  replaceAll(uploads: UploadView[]): void {
    this.uploads.clear();
    this.list.replaceChildren();
    for (const upload of uploads) this.update(upload);
    this.toggleEmpty();
  }

  update(upload: UploadView): void {
    this.uploads.set(upload.id, upload);
    let row = this.list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(upload.id)}"]`);
    if (!row) {
      row = createRow(upload.id);
      this.list.prepend(row);
    }
    fillRow(row, upload);
    this.toggleEmpty();
  }

  remove(id: string): void {
    this.uploads.delete(id);
    this.list.querySelector(`li[data-id="${CSS.escape(id)}"]`)?.remove();
    this.toggleEmpty();
  }

  all(): UploadView[] {
    return [...this.uploads.values()];
  }

  private toggleEmpty(): void {
    this.empty.hidden = this.uploads.size > 0;
  }

  private refreshMessages(): void {
    for (const upload of this.uploads.values()) {
      if (upload.state !== 'waiting-for-network') continue;
      const row = this.list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(upload.id)}"]`);
      if (row) row.querySelector('.message')!.textContent = statusMessage(upload, Date.now());
    }
  }
}

function createRow(id: string): HTMLLIElement {
  const row = document.createElement('li');
  row.className = 'upload';
  row.dataset.id = id;
  row.innerHTML = `
    <div class="upload-head"><span class="name"></span><span class="state"></span></div>
    <progress class="bar" max="1" value="0"></progress>
    <div class="detail"></div>
    <div class="message" role="status"></div>
    <div class="actions"></div>`;
  return row;
}

function fillRow(row: HTMLLIElement, upload: UploadView): void {
  row.dataset.state = upload.state;
  row.querySelector('.name')!.textContent = upload.name;
  row.querySelector<HTMLElement>('.name')!.title = upload.name;
  row.querySelector('.state')!.textContent = STATE_LABELS[upload.state];
  const bar = row.querySelector<HTMLProgressElement>('.bar')!;
  bar.max = Math.max(upload.size, 1);
  bar.value = upload.size === 0 && upload.state === 'done' ? 1 : upload.offset;
  bar.setAttribute('aria-label', `${upload.name}: ${progressLine(upload)}`);
  row.querySelector('.detail')!.textContent = progressLine(upload);
  row.querySelector('.message')!.textContent = statusMessage(upload, Date.now());
  const actions = row.querySelector<HTMLDivElement>('.actions')!;
  const wanted = ACTIONS[upload.state];
  if (actions.dataset.for !== wanted.join()) {
    actions.dataset.for = wanted.join();
    actions.replaceChildren(...wanted.map((action) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = ACTION_LABELS[action];
      button.className = action === 'cancel' ? 'quiet' : '';
      return button;
    }));
  }
}
