// Ask the browser to keep our stored files, and show how much room there is.
import { formatBytes } from '../../common/format.js';

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
    const kept = this.persisted ? 'kept until the uploads finish' : 'the browser may clear it when space runs low';
    this.line.textContent = `Browser storage: ${formatBytes(usage)} used of ${formatBytes(quota)} (${kept}).`;
  }
}
