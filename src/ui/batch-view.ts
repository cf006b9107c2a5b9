// The batch above the rows: "Uploading 2 of 3 · 45 MB left · about 40 s", with Pause all and
// Cancel all (each cancel undoable, as a row's is).
import type { UploadView } from '../../common/messages.js';
import { formatDuration } from '../../common/i18n/catalogue.js';
import { language, size, t } from '../i18n.js';

const ACTIVE = new Set(['queued', 'uploading', 'waiting-for-network', 'needs-credentials', 'paused']);

export class BatchView {
  constructor(
    private readonly root: HTMLElement,
    private readonly summary: HTMLElement,
    controls: { pauseAll: HTMLButtonElement; cancelAll: HTMLButtonElement },
    private readonly uploads: () => UploadView[],
    act: { pause(id: string): void; cancel(id: string): void },
  ) {
    controls.pauseAll.addEventListener('click', () => {
      for (const upload of this.active()) if (upload.state !== 'paused') act.pause(upload.id);
    });
    controls.cancelAll.addEventListener('click', () => {
      for (const upload of this.active()) act.cancel(upload.id);
    });
  }

  /** Redraw from the rows as they are now. */
  update(): void {
    const active = this.active();
    this.root.hidden = active.length < 2;
    if (this.root.hidden) return;
    const uploading = active.filter((upload) => upload.state === 'uploading').length;
    const left = active.reduce((sum, upload) => sum + Math.max(0, upload.size - upload.offset), 0);
    const rate = active.reduce((sum, upload) => sum + (upload.state === 'uploading' ? upload.rate : 0), 0);
    const parts = [t('batch.uploading', { count: uploading, total: active.length }), t('batch.left', { size: size(left) })];
    if (rate > 0 && left > 0) parts.push(t('batch.about', { time: formatDuration(language(), left / rate) }));
    this.summary.textContent = parts.join(' · ');
  }

  private active(): UploadView[] {
    return this.uploads().filter((upload) => ACTIVE.has(upload.state));
  }
}
