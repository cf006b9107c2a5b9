// The order of the upload rows, and the long runs folded away: the files moving come first, then those
// waiting or stopped, then the queue in the order it will go, then the finished. A 40-photo pick filled
// the screen with "Queued · 0 bytes" rows while the ones moving were off-screen at the bottom; 300
// finished photos to a tus server kept 300 rows that every draw laid out again.
import type { UploadState, UploadView } from '../../common/messages.js';
import type { Key } from '../../common/i18n/catalogue.js';
import { t } from '../i18n.js';
import { putInOrder } from './least-moves.js';

const RANK: Record<UploadState, number> = {
  uploading: 0, 'waiting-for-network': 1, 'needs-credentials': 1, paused: 2, failed: 3, queued: 4, done: 5,
};
/** Queued rows shown before the rest fold into "31 more queued". */
export const QUEUED_SHOWN = 5;
/** Finished rows shown (the last to finish) before the rest fold into "295 more finished". */
export const FINISHED_SHOWN = 5;

/**
 * Moving first; the queue oldest first (the order it goes in); the finished last finished first (the files
 * of one pick share their added time to the millisecond, and the five shown were the first to finish).
 */
export function arranged(uploads: Iterable<UploadView>): UploadView[] {
  const finished = (upload: UploadView) => upload.completedAt ?? upload.addedAt;
  return [...uploads].sort((a, b) => RANK[a.state] - RANK[b.state] || (a.state === 'done' ? finished(b) - finished(a) || b.addedAt - a.addedAt : a.addedAt - b.addedAt));
}

/** One run of rows in one state that folds past `shown`, with the line after it: "31 more queued" and its Show all. */
class Fold {
  expanded = false;
  readonly more: HTMLLIElement;
  private readonly said: HTMLSpanElement;
  private readonly toggle: HTMLButtonElement;

  /** `saying` while folded ("31 more queued"), `sayingAll` while every row shows ("36 queued"): Show fewer is described too. */
  constructor(readonly state: UploadState, readonly shown: number, private readonly saying: Key, private readonly sayingAll: Key, onChange: () => void) {
    this.more = document.createElement('li');
    this.more.className = 'more';
    this.more.dataset.fold = state;
    this.more.hidden = true;
    this.said = document.createElement('span');
    this.said.id = `fold-${state}`;
    this.toggle = document.createElement('button');
    this.toggle.type = 'button';
    this.toggle.className = 'quiet';
    // Two "Show all" (or "Show fewer") buttons: each is described by its sentence ("31 more queued", "300 finished").
    this.toggle.setAttribute('aria-describedby', this.said.id);
    this.toggle.addEventListener('click', () => {
      this.expanded = !this.expanded;
      onChange();
      this.toggle.focus();
    });
    this.more.append(this.said, this.toggle);
  }

  /** Say how many are folded (none: the line hides). */
  show(count: number): void {
    // Folding one row away would take as much room as showing it.
    const folding = count > this.shown + 1;
    this.more.hidden = !folding;
    if (!folding) return;
    this.said.textContent = this.expanded ? t(this.sayingAll, { count }) : t(this.saying, { count: count - this.shown });
    this.toggle.textContent = t(this.expanded ? 'uploads.showFewer' : 'uploads.showAll');
  }
}

export class QueueFolding {
  private readonly folds: Fold[];

  constructor(onChange: () => void) {
    this.folds = [
      new Fold('queued', QUEUED_SHOWN, 'uploads.moreQueued', 'uploads.allQueued', onChange),
      new Fold('done', FINISHED_SHOWN, 'uploads.moreFinished', 'uploads.allFinished', onChange),
    ];
  }

  /**
   * Put `rows` in `list` in the order of `uploads`, each fold's rows past its first few folded unless it
   * is expanded. Rows already hidden (finished ones the server's list shows) count for nothing.
   */
  apply(list: HTMLElement, uploads: UploadView[], rows: ReadonlyMap<string, HTMLElement>): void {
    const focused = (list.getRootNode() as Document | ShadowRoot).activeElement as HTMLElement | null;
    const counts = new Map(this.folds.map((fold) => [fold.state, 0]));
    for (const upload of uploads) if (counts.has(upload.state) && rows.get(upload.id)?.hidden === false) counts.set(upload.state, counts.get(upload.state)! + 1);
    const seen = new Map(this.folds.map((fold) => [fold.state, 0]));
    const wanted: HTMLElement[] = [];
    for (const upload of uploads) {
      const row = rows.get(upload.id);
      if (!row) continue;
      const fold = this.folds.find((one) => one.state === upload.state);
      let folded = false;
      if (fold && !row.hidden) {
        const count = counts.get(fold.state)!;
        const at = seen.get(fold.state)! + 1;
        seen.set(fold.state, at);
        folded = !fold.expanded && count > fold.shown + 1 && at > fold.shown;
        wanted.push(row);
        if (at === count) wanted.push(fold.more);
      } else {
        wanted.push(row);
      }
      row.classList.toggle('folded', folded);
    }
    // A fold with no row shown keeps its (hidden) line at the end.
    for (const fold of this.folds) {
      if (counts.get(fold.state) === 0) wanted.push(fold.more);
      fold.show(counts.get(fold.state)!);
    }
    putInOrder(list, wanted);
    // A row moved while it held the focus gets it back: moving a node drops its focus.
    if (focused?.isConnected && list.contains(focused) && (list.getRootNode() as Document | ShadowRoot).activeElement !== focused) focused.focus();
  }
}
