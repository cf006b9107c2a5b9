// Ask the browser to keep our stored files, and show how much room there is.
import { size, t } from '../i18n.js';

export class StorageView {
  private persisted = false;
  private lastRefresh = 0;

  constructor(private readonly line: HTMLElement) {}

  async requestPersistence(): Promise<void> {
    if (this.persisted || !navigator.storage?.persist) return;
    this.persisted = await navigator.storage.persist().catch(() => false);
  }

  /** While uploads report progress (the copy grows and shrinks meanwhile): an estimate unless one is recent. */
  refreshNowAndThen(intervalMs = 2000): void {
    if (Date.now() - this.lastRefresh >= intervalMs) void this.refresh();
  }

  async refresh(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    this.lastRefresh = Date.now();
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    // Plain facts, not a warning: what is kept here and how much room is left.
    this.line.textContent = usage < 1_000_000
      ? t('storage.empty')
      : t('storage.used', { used: size(usage), room: size(Math.max(0, quota - usage)) });
  }
}
