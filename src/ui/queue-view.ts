// The list of uploads: one row per upload, updated in place as messages arrive.
import type { UploadState, UploadView } from '../../common/messages.js';
import { hasBackgroundSync } from '../capabilities.js';
import { progressLine, statusMessage } from '../format.js';
import { language, t } from '../i18n.js';
import { kindOf, nameParts, showThumbnailWhenSeen } from './file-kind.js';
import { arranged, QueueFolding } from './queue-order.js';
import { PendingCancels, type CancelKind } from './pending-cancels.js';

/** What the worker is asked to do. */
export type Action = 'pause' | 'resume' | 'cancel' | 'retry';
/** What a row's buttons do: the worker's actions, Remove (a cancel with nothing to undo) and Undo. */
type RowAction = Action | 'remove' | 'undo';

const ACTIONS: Record<UploadState, RowAction[]> = {
  queued: ['pause', 'cancel'],
  uploading: ['pause', 'cancel'],
  'waiting-for-network': ['retry', 'pause', 'cancel'],
  'needs-credentials': ['retry', 'pause', 'cancel'],
  paused: ['resume', 'cancel'],
  done: [],
  failed: ['retry', 'remove'],
};


/** States worth telling a screen reader about when a row reaches them. */
const ANNOUNCED: ReadonlySet<UploadState> = new Set(['done', 'failed', 'waiting-for-network', 'needs-credentials', 'paused']);

/** Whether uploads go on with every page closed; where not, waiting rows say they need Ferry open. */
const BACKGROUND_SYNC = hasBackgroundSync();

function actionsFor(upload: UploadView, cancelling: CancelKind | undefined): RowAction[] {
  // A row cancelled with the others has no Undo of its own: the batch line's undoes them all.
  if (cancelling) return cancelling === 'one' ? ['undo'] : [];
  // A refusal or a changed file: sending again cannot help, so Retry is not offered.
  if (upload.state === 'failed' && upload.final) return ['remove'];
  return ACTIONS[upload.state];
}

export class QueueView {
  private readonly uploads = new Map<string, UploadView>();
  private readonly rows = new Map<string, HTMLLIElement>();
  private listed: ReadonlySet<string> = new Set();
  /** Cancels waiting for an Undo. */
  readonly cancels: PendingCancels;

  private readonly folding = new QueueFolding(() => this.arrange());

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly onAction: (action: Action, id: string) => void,
    /** A Cancel all was sent or undone. */
    onGroupEnded: () => void = () => undefined,
    /** Says a row's new state to screen readers (rows are not live regions). */
    private readonly announce: (text: string) => void = () => undefined,
  ) {
    this.cancels = new PendingCancels({
      send: (action, id) => this.onAction(action, id),
      changed: (id) => {
        const upload = this.uploads.get(id);
        if (upload) this.update(upload);
      },
      groupEnded: onGroupEnded,
    });
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
      const row = button?.closest<HTMLLIElement>('li[data-id]');
      if (button && row) this.act(button.dataset.action as RowAction, row.dataset.id!);
    });
    // Countdowns to the next retry tick even when no message arrives.
    setInterval(() => this.refreshMessages(), 1000);
  }

  /** Cancel as the row's button does: undoable for a few seconds. */
  cancelWithUndo(id: string): void {
    const upload = this.uploads.get(id);
    if (upload) this.cancels.one(upload);
  }

  /** Cancel these together, with one Undo (the batch line's). */
  cancelTogether(ids: string[]): void {
    this.cancels.together(ids.flatMap((id) => this.uploads.get(id) ?? []));
  }

  private act(action: RowAction, id: string): void {
    if (action === 'cancel') this.cancelWithUndo(id);
    else if (action === 'undo') this.cancels.undoOne(id);
    else this.onAction(action === 'remove' ? 'cancel' : action, id);
  }

  replaceAll(uploads: UploadView[]): void {
    this.uploads.clear();
    this.rows.clear();
    this.list.replaceChildren();
    for (const upload of uploads) this.update(upload);
    this.arrange();
    this.toggleEmpty();
  }

  /** Rows in their order (moving first, then waiting, the queue, the finished) with the queue folded: once per draw. */
  arrange(): void {
    this.folding.apply(this.list, arranged(this.uploads.values()), this.rows);
  }

  update(upload: UploadView): void {
    const before = this.uploads.get(upload.id)?.state;
    if (before !== undefined && before !== upload.state && ANNOUNCED.has(upload.state)) this.announce(`${upload.name}: ${t(`state.${upload.state}`)}`);
    this.uploads.set(upload.id, upload);
    let row = this.rows.get(upload.id);
    if (!row) {
      row = createRow(upload.id);
      this.rows.set(upload.id, row);
      this.list.append(row); // put in its place by arrange()
    }
    fillRow(row, upload, this.cancels.kind(upload.id));
    row.hidden = this.isListed(upload.id);
    this.toggleEmpty();
  }

  remove(id: string): void {
    this.uploads.delete(id);
    const row = this.rows.get(id);
    this.rows.delete(id);
    // A removed row that held the focus hands it on to the next row's first control, not to the page.
    const hadFocus = row?.contains(focusedIn(row)) === true;
    const next = hadFocus ? visibleSibling(row!) : undefined;
    row?.remove();
    if (next) focusIn(next, this.list);
    else if (hadFocus) this.heading.focus();
    this.toggleEmpty();
  }

  /** Where the focus rests when no row is left to take it: the section's heading (tabindex -1). */
  private get heading(): HTMLElement {
    return this.list.closest('section')?.querySelector<HTMLElement>('h2') ?? this.empty;
  }

  /** Put the focus on row `id`'s first control (the section's heading when there is no such row). */
  focusRow(id: string | undefined): void {
    const row = id === undefined ? undefined : this.rows.get(id);
    if (row && !row.hidden) focusIn(row, row);
    else this.heading.focus();
  }

  /** Finished uploads the server's list shows: their rows would only say the same thing twice. */
  hideListed(ids: ReadonlySet<string>): void {
    this.listed = ids;
    for (const row of this.list.querySelectorAll<HTMLLIElement>('li[data-id]')) row.hidden = this.isListed(row.dataset.id!);
    this.arrange(); // the finished rows still shown fold again
    this.toggleEmpty();
  }

  /** Whether a finished row is on screen (one the server's list does not already show). */
  hasFinished(): boolean {
    return this.all().some((upload) => upload.state === 'done' && !this.isListed(upload.id));
  }

  all(): UploadView[] {
    return [...this.uploads.values()];
  }

  private isListed(id: string): boolean {
    return this.uploads.get(id)?.state === 'done' && this.listed.has(id);
  }

  private toggleEmpty(): void {
    this.empty.hidden = [...this.uploads.keys()].some((id) => !this.isListed(id));
  }

  /** Every row again, in the language just chosen. */
  redraw(): void {
    for (const upload of this.uploads.values()) this.update(upload);
  }

  private refreshMessages(): void {
    for (const upload of this.uploads.values()) {
      if (upload.state !== 'waiting-for-network') continue;
      const row = this.rows.get(upload.id);
      if (row) setText(row.querySelector('.message')!, statusMessage(language(), upload, Date.now(), BACKGROUND_SYNC));
    }
  }
}

/** A row's parts, parsed once: parsing them for each of 300 new rows cost the page 0.2 s (docs/performance.md, batch). */
let rowTemplate: HTMLLIElement | undefined;

function createRow(id: string): HTMLLIElement {
  if (!rowTemplate) {
    rowTemplate = document.createElement('li');
    rowTemplate.className = 'upload';
    rowTemplate.tabIndex = -1; // so that focus can rest on a row that has no controls left
    rowTemplate.innerHTML = `
    <div class="upload-head"><span class="kind" aria-hidden="true"></span><span class="name"></span><span class="state"></span></div>
    <progress class="bar" max="1" value="0"></progress>
    <div class="detail"></div>
    <div class="message"></div>
    <div class="actions"></div>`;
  }
  const row = rowTemplate.cloneNode(true) as HTMLLIElement;
  row.dataset.id = id;
  return row;
}

function fillRow(row: HTMLLIElement, upload: UploadView, cancelling: CancelKind | undefined): void {
  // Only what changed is written: a batch of 300 rows updating kept the page busy restyling them.
  if (row.dataset.state !== upload.state) row.dataset.state = upload.state;
  row.classList.toggle('cancelling', cancelling !== undefined);
  const tile = row.querySelector<HTMLElement>('.kind')!;
  if (!tile.dataset.kind) {
    const { kind, label } = kindOf(upload.name, upload.type);
    tile.dataset.kind = kind;
    tile.textContent = label;
    showThumbnailWhenSeen(tile, upload.id, upload.type, upload.size);
  }
  const name = row.querySelector<HTMLElement>('.name')!;
  if (name.textContent !== upload.name) name.replaceChildren(...nameParts(upload.name));
  if (name.title !== upload.name) name.title = upload.name;
  // Offline, an upload cannot be moving, whatever the worker has not noticed yet: say it waits.
  const shown = upload.state === 'uploading' && !navigator.onLine ? 'waiting-for-network' : upload.state;
  setText(row.querySelector('.state')!, t(cancelling ? 'state.cancelled' : `state.${shown}`));
  const bar = row.querySelector<HTMLProgressElement>('.bar')!;
  const max = Math.max(upload.size, 1);
  const value = upload.size === 0 && upload.state === 'done' ? 1 : upload.offset;
  if (bar.max !== max) bar.max = max;
  if (bar.value !== value) bar.value = value;
  const progress = progressLine(language(), upload);
  const label = `${upload.name}: ${progress}`;
  if (bar.getAttribute('aria-label') !== label) bar.setAttribute('aria-label', label);
  setText(row.querySelector('.detail')!, progress);
  setText(row.querySelector('.message')!, cancelling ? t(cancelling === 'one' ? 'row.cancelling' : 'row.cancellingAll') : statusMessage(language(), upload, Date.now(), BACKGROUND_SYNC));
  const actions = row.querySelector<HTMLDivElement>('.actions')!;
  const wanted = actionsFor(upload, cancelling);
  // Redrawn when the buttons change, or the language does.
  const drawn = `${language()}:${wanted.join()}`;
  if (actions.dataset.for !== drawn) {
    // Pause becomes Resume: keep the focus on the row's controls, never drop it to the page.
    const focused = focusedIn(row);
    const hadFocus = row.contains(focused) && focused !== row;
    actions.dataset.for = drawn;
    actions.replaceChildren(...wanted.map((action) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = t(`action.${action}`);
      // Each button names its file: "Pause" alone is ambiguous with several rows.
      button.setAttribute('aria-label', t('action.named', { action: t(`action.${action}`), name: upload.name }));
      button.className = action === 'cancel' || action === 'remove' ? 'quiet' : '';
      return button;
    }));
    if (hadFocus) focusIn(row, row);
  }
}

/** The nearest row after `row`, else before it, that is shown. */
function visibleSibling(row: HTMLElement): HTMLElement | undefined {
  for (const step of ['nextElementSibling', 'previousElementSibling'] as const) {
    for (let other = row[step] as HTMLElement | null; other; other = other[step] as HTMLElement | null) if (!other.hidden) return other;
  }
  return undefined;
}

/** The focused element of `node`'s document or shadow root (inside <ferry-uploads>, document.activeElement is the element itself). */
function focusedIn(node: Node): Element | null {
  return (node.getRootNode() as Document | ShadowRoot).activeElement ?? null;
}

function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Focus the first control of `row`, else the row itself, else `fallback`. */
function focusIn(row: HTMLElement, fallback: HTMLElement): void {
  const target = row.querySelector<HTMLElement>('button') ?? (row.tabIndex === -1 ? row : fallback);
  target.focus();
}
