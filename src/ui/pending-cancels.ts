// Cancels that wait for an Undo: the upload is paused at once and forgotten only when no Undo comes in
// time (a tab closed meanwhile leaves it paused, never lost). A row's own cancel has the row's Undo;
// Cancel all makes one group with one Undo, on the batch line.
import type { UploadView } from '../../common/messages.js';

/** A cancel waits this long for an Undo before the worker is told. */
export const UNDO_MS = 5000;

export type CancelKind = 'one' | 'group';

export interface CancelSink {
  /** Tell the worker: pause, resume (an undo), or cancel (the window ended). */
  send(action: 'pause' | 'resume' | 'cancel', id: string): void;
  /** The upload's row must be redrawn. */
  changed(id: string): void;
  /** A group's cancel was sent, or undone. */
  groupEnded(): void;
}

export class PendingCancels {
  private readonly pending = new Map<string, { wasRunning: boolean; kind: CancelKind; timer?: ReturnType<typeof setTimeout> }>();
  private groupTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sink: CancelSink) {}

  kind(id: string): CancelKind | undefined {
    return this.pending.get(id)?.kind;
  }

  /** How many uploads Cancel all is about to remove. */
  get groupSize(): number {
    return [...this.pending.values()].filter((entry) => entry.kind === 'group').length;
  }

  one(upload: UploadView): void {
    if (this.pending.has(upload.id)) return;
    const timer = setTimeout(() => this.send(upload.id), UNDO_MS);
    this.hold(upload, 'one', timer);
  }

  undoOne(id: string): void {
    const entry = this.pending.get(id);
    if (entry?.kind !== 'one') return;
    clearTimeout(entry.timer);
    this.release(id);
  }

  /** Cancel these as one: one window, one Undo (a second Cancel all adds to it and restarts the window). */
  together(uploads: UploadView[]): void {
    for (const upload of uploads) if (!this.pending.has(upload.id)) this.hold(upload, 'group');
    clearTimeout(this.groupTimer);
    this.groupTimer = setTimeout(() => {
      this.groupTimer = undefined;
      for (const [id, entry] of [...this.pending]) if (entry.kind === 'group') this.send(id);
      this.sink.groupEnded();
    }, UNDO_MS);
  }

  undoTogether(): void {
    clearTimeout(this.groupTimer);
    this.groupTimer = undefined;
    for (const [id, entry] of [...this.pending]) if (entry.kind === 'group') this.release(id);
    this.sink.groupEnded();
  }

  /** The page is going away (`pagehide`): send every pending cancel now, rather than leave the uploads paused for no reason anyone will remember. */
  flush(): void {
    clearTimeout(this.groupTimer);
    this.groupTimer = undefined;
    for (const [id, entry] of [...this.pending]) {
      clearTimeout(entry.timer);
      this.send(id);
    }
  }

  private hold(upload: UploadView, kind: CancelKind, timer?: ReturnType<typeof setTimeout>): void {
    const wasRunning = upload.state !== 'paused';
    this.pending.set(upload.id, { wasRunning, kind, ...(timer ? { timer } : {}) });
    if (wasRunning) this.sink.send('pause', upload.id);
    this.sink.changed(upload.id);
  }

  private release(id: string): void {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (entry?.wasRunning) this.sink.send('resume', id);
    this.sink.changed(id);
  }

  private send(id: string): void {
    this.pending.delete(id);
    this.sink.send('cancel', id);
  }
}
