// Ask the browser to keep our stored files, and show how much room there is.
import { size, t } from '../i18n.js';

export class StorageView {
  private persisted = false;
  private lastRefresh = 0;
  /** Room left by the browser's last estimate; unknown until one is in. */
  private room: number | undefined;

  /** `kept`: bytes of the files the worker still keeps (uploads not finished, nor failed for good). */
  constructor(private readonly line: HTMLElement, private readonly kept: () => number) {}

  async requestPersistence(): Promise<void> {
    if (this.persisted || !navigator.storage?.persist) return;
    this.persisted = await navigator.storage.persist().catch(() => false);
  }

  /** While uploads report progress (the copy grows and shrinks meanwhile): an estimate unless one is recent. */
  refreshNowAndThen(intervalMs = 2000): void {
    if (Date.now() - this.lastRefresh >= intervalMs) void this.refresh();
    else this.show();
  }

  async refresh(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    this.lastRefresh = Date.now();
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    this.room = Math.max(0, quota - usage);
    this.show();
  }

  /**
   * Plain facts, not a warning: what is kept here and how much room is left. The browser's usage also
   * counts the app itself and space IndexedDB has not given back yet (it read 78 MB with nothing kept):
   * what is kept is the worker's files, as the rows know them, so the line follows the rows at once.
   */
  show(): void {
    if (this.room === undefined) return;
    const kept = this.kept();
    const text = kept === 0 ? t('storage.empty') : t('storage.used', { used: size(kept), room: size(this.room) });
    if (this.line.textContent !== text) this.line.textContent = text;
  }
}
