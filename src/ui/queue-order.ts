// The order of the upload rows, and the queued ones folded away: the files moving come first, then those
// waiting or stopped, then the queue in the order it will go, then the finished. A 40-photo pick filled
// the screen with "Queued · 0 bytes" rows while the ones moving were off-screen at the bottom.
import type { UploadState, UploadView } from '../../common/messages.js';
import { t } from '../i18n.js';
import { putInOrder } from './least-moves.js';

const RANK: Record<UploadState, number> = {
  uploading: 0, 'waiting-for-network': 1, 'needs-credentials': 1, paused: 2, failed: 3, queued: 4, done: 5,
};
/** Queued rows shown before the rest fold into "31 more queued". */
export const QUEUED_SHOWN = 5;

/** Moving first; the queue oldest first (the order it goes in); the finished newest first. */
export function arranged(uploads: Iterable<UploadView>): UploadView[] {
  return [...uploads].sort((a, b) => RANK[a.state] - RANK[b.state] || (a.state === 'done' ? b.addedAt - a.addedAt : a.addedAt - b.addedAt));
}

export class QueueFolding {
  private expanded = false;
  /** The line after the last queued row shown: "31 more queued" and its Show all. */
  readonly more: HTMLLIElement;

  constructor(onChange: () => void) {
    this.more = document.createElement('li');
    this.more.className = 'more';
    this.more.hidden = true;
    const said = document.createElement('span');
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'quiet';
    toggle.addEventListener('click', () => {
      this.expanded = !this.expanded;
      onChange();
      toggle.focus();
    });
    this.more.append(said, toggle);
  }

  /** Put `rows` in `list` in the order of `uploads`, folding the queued rows past QUEUED_SHOWN unless expanded. */
  apply(list: HTMLElement, uploads: UploadView[], rows: ReadonlyMap<string, HTMLElement>): void {
    const focused = (list.getRootNode() as Document | ShadowRoot).activeElement as HTMLElement | null;
    const queued = uploads.filter((upload) => upload.state === 'queued').length;
    // Folding one row away would take as much room as showing it.
    const folding = queued > QUEUED_SHOWN + 1;
    let seenQueued = 0;
    const wanted: HTMLElement[] = [];
    for (const upload of uploads) {
      const row = rows.get(upload.id);
      if (!row) continue;
      if (upload.state === 'queued') seenQueued += 1;
      row.classList.toggle('folded', folding && !this.expanded && upload.state === 'queued' && seenQueued > QUEUED_SHOWN);
      wanted.push(row);
      if (upload.state === 'queued' && seenQueued === queued) wanted.push(this.more);
    }
    if (queued === 0) wanted.push(this.more);
    putInOrder(list, wanted);
    this.more.hidden = !folding;
    if (folding) {
      const [said, toggle] = this.more.children as unknown as [HTMLElement, HTMLButtonElement];
      said.textContent = this.expanded ? '' : t('uploads.moreQueued', { count: queued - QUEUED_SHOWN });
      toggle.textContent = t(this.expanded ? 'uploads.showFewer' : 'uploads.showAll');
    }
    // A row moved while it held the focus gets it back: moving a node drops its focus.
    if (focused?.isConnected && list.contains(focused) && (list.getRootNode() as Document | ShadowRoot).activeElement !== focused) focused.focus();
  }
}
