// The batch above the rows: "12 of 40 done · 45 MB left · about 40 s" over a bar of the bytes the
// server confirmed for the whole batch, with Pause all, Resume all, Retry all, and Cancel all (one Undo
// for all of them). The batch is every upload added since the oldest one still under way was: its total
// stays fixed while files finish, across a reload too.
import type { UploadView } from '../../common/messages.js';
import { formatDuration } from '../../common/i18n/catalogue.js';
import { language, size, t } from '../i18n.js';

const ACTIVE = new Set(['queued', 'uploading', 'waiting-for-network', 'needs-credentials', 'paused']);
const RETRYABLE = new Set(['waiting-for-network', 'needs-credentials', 'failed']);

export interface BatchControls {
  pauseAll: HTMLButtonElement;
  resumeAll: HTMLButtonElement;
  retryAll: HTMLButtonElement;
  cancelAll: HTMLButtonElement;
  undoAll: HTMLButtonElement;
  bar: HTMLProgressElement;
}

export interface BatchActions {
  pause(id: string): void;
  resume(id: string): void;
  retry(id: string): void;
  /** Cancel these together, undoable as one. */
  cancelTogether(ids: string[]): void;
  undoCancel(): void;
  /** How many uploads a Cancel all is about to remove (0: none pending). */
  cancelling(): number;
  /** A pick is still being handed over: its first files may all be done before the rest arrive. */
  picking(): boolean;
}

export class BatchView {
  /** When the batch began: the pick time of its oldest upload. */
  private since: number | undefined;
  /** Files picked in this page for the batch: its total before the last of them is handed over. */
  private pickedHere = 0;
  /** What the line last said of the whole batch ('cancelled', 'paused' or nothing): said aloud when it changes. */
  private headline = '';
  /** How the last batch ended, said on the line until the next pick: "43 files uploaded, all verified." */
  private ended: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly summary: HTMLElement,
    private readonly controls: BatchControls,
    private readonly uploads: () => UploadView[],
    private readonly act: BatchActions,
    /** Says the batch's new condition to screen readers (the line itself is not a live region). */
    private readonly announce: (text: string) => void = () => undefined,
  ) {
    const each = (button: HTMLButtonElement, pick: (upload: UploadView) => boolean, action: (id: string) => void) =>
      button.addEventListener('click', () => {
        for (const upload of this.members()) if (pick(upload)) action(upload.id);
      });
    each(controls.pauseAll, (upload) => ACTIVE.has(upload.state) && upload.state !== 'paused', act.pause);
    each(controls.resumeAll, (upload) => upload.state === 'paused', act.resume);
    each(controls.retryAll, (upload) => RETRYABLE.has(upload.state) && !upload.final, act.retry);
    controls.cancelAll.addEventListener('click', () => {
      act.cancelTogether(this.members().filter((upload) => ACTIVE.has(upload.state)).map((upload) => upload.id));
      this.update();
      // The focus stays where it was: on the batch line's Undo, in Cancel all's place.
      controls.undoAll.focus();
    });
    controls.undoAll.addEventListener('click', () => {
      act.undoCancel();
      this.update();
      controls.cancelAll.focus();
    });
  }

  /** A pick of `count` files is being handed over: they count in the total before they are listed (-1: one was not kept). */
  picked(count: number): void {
    this.ended = undefined;
    this.since ??= Date.now();
    this.pickedHere = Math.max(0, this.pickedHere + count);
    this.update();
  }

  /** An upload is gone (cancelled, cleared): a file of the batch no longer counts. */
  removed(upload: UploadView | undefined): void {
    if (upload && this.since !== undefined && upload.addedAt >= this.since) this.pickedHere = Math.max(0, this.pickedHere - 1);
  }

  /** Redraw from the rows as they are now. */
  update(): void {
    const all = this.uploads();
    const active = all.filter((upload) => ACTIVE.has(upload.state));
    const cancelling = this.act.cancelling();
    // The batch ends when nothing is under way, unless a pick is still arriving (a first group of photos
    // can finish before the next is handed over: the line read "of 37" for a pick of 40).
    if (active.length === 0 && cancelling === 0 && !this.act.picking()) {
      const batch = this.since === undefined ? [] : this.members();
      if (batch.length >= 2) this.ended = endedSentence(batch);
      this.since = undefined;
      this.pickedHere = 0;
      if (this.ended !== undefined && all.length > 0) return this.showEnded(this.ended);
    } else {
      this.since = Math.min(this.since ?? Infinity, ...active.map((upload) => upload.addedAt));
    }
    const batch = this.members();
    const count = Math.max(batch.length, this.pickedHere);
    this.root.hidden = count < 2 && cancelling === 0;
    if (this.root.hidden) {
      this.headline = '';
      return;
    }
    const { controls } = this;
    controls.undoAll.hidden = cancelling === 0;
    controls.cancelAll.hidden = cancelling > 0 || active.length === 0;
    if (cancelling > 0) {
      this.summary.textContent = t('batch.cancelled', { count: cancelling });
      this.tell('cancelled');
      controls.pauseAll.hidden = controls.resumeAll.hidden = controls.retryAll.hidden = true;
      return;
    }
    const paused = active.filter((upload) => upload.state === 'paused');
    controls.pauseAll.hidden = paused.length === active.length;
    controls.resumeAll.hidden = paused.length === 0;
    controls.retryAll.hidden = !batch.some((upload) => RETRYABLE.has(upload.state) && !upload.final);
    const done = batch.filter((upload) => upload.state === 'done').length;
    const total = batch.reduce((sum, upload) => sum + upload.size, 0);
    controls.bar.value = total === 0 ? 1 : batch.reduce((sum, upload) => sum + upload.offset, 0) / total;
    const parts = [t('batch.done', { count: done, total: count })];
    if (paused.length > 0 && paused.length === active.length) parts.unshift(t('batch.paused'));
    // Paused files are not on their way: they count in neither "left" nor the time left.
    const going = active.filter((upload) => upload.state !== 'paused');
    const left = going.reduce((sum, upload) => sum + Math.max(0, upload.size - upload.offset), 0);
    if (left > 0) parts.push(t('batch.left', { size: size(left) }));
    const seconds = timeLeft(going, left);
    if (seconds !== undefined) parts.push(t('batch.about', { time: formatDuration(language(), seconds) }));
    this.summary.textContent = parts.join(' · ');
    this.tell(paused.length > 0 && paused.length === active.length ? 'paused' : '');
  }

  private showEnded(sentence: string): void {
    const { controls } = this;
    this.root.hidden = false;
    controls.pauseAll.hidden = controls.resumeAll.hidden = controls.cancelAll.hidden = controls.undoAll.hidden = true;
    controls.retryAll.hidden = !this.uploads().some((upload) => RETRYABLE.has(upload.state) && !upload.final);
    controls.bar.value = 1;
    this.summary.textContent = sentence;
    this.tell('ended');
  }

  private tell(headline: string): void {
    if (headline !== this.headline && headline !== '') this.announce(this.summary.textContent ?? '');
    this.headline = headline;
  }

  /** The uploads of the batch: every one picked since it began that is still listed. */
  private members(): UploadView[] {
    const since = this.since;
    return since === undefined ? [] : this.uploads().filter((upload) => upload.addedAt >= since);
  }
}

/**
 * From the rates the rows show: what is left at the rate of all uploads together, never sooner than
 * the slowest row says it will end (a row saying 3 min under a batch saying 1 min is not believed).
 */
function timeLeft(going: UploadView[], left: number): number | undefined {
  const rate = going.reduce((sum, upload) => sum + (upload.state === 'uploading' ? upload.rate : 0), 0);
  if (!(rate > 0) || left <= 0) return undefined;
  return Math.max(left / rate, ...going.map((upload) => upload.etaSeconds ?? 0));
}

/** "43 files uploaded, all verified.", "12 files uploaded.", or "40 of 43 uploaded; 3 did not upload." */
function endedSentence(batch: UploadView[]): string {
  const done = batch.filter((upload) => upload.state === 'done');
  if (done.length < batch.length) return t('batch.someFailed', { done: done.length, total: batch.length, count: batch.length - done.length });
  const verified = done.every((upload) => upload.notice?.key === 'notice.verified');
  return t(verified ? 'batch.allVerified' : 'batch.uploaded', { count: done.length });
}
