// Screen Wake Lock while uploads run and the page is visible, so a phone does not sleep mid-upload
// (a sleeping phone suspends the page, and the worker with it). The reader can turn it off.
const KEPT = 'ferry:wake-lock';

type Sentinel = { released: boolean; release(): Promise<void> };
type WithWakeLock = Navigator & { wakeLock?: { request(type: 'screen'): Promise<Sentinel> } };

export class ScreenWake {
  private sentinel: Sentinel | undefined;
  private wanted = false;
  enabled = localStorage.getItem(KEPT) !== 'off';

  constructor() {
    // The browser releases the lock when the page is hidden; take it again when it comes back.
    document.addEventListener('visibilitychange', () => void this.apply());
  }

  static supported(): boolean {
    return 'wakeLock' in navigator;
  }

  setEnabled(on: boolean): void {
    this.enabled = on;
    localStorage.setItem(KEPT, on ? 'on' : 'off');
    void this.apply();
  }

  /** Uploads are running (true) or not (false). */
  uploading(running: boolean): void {
    this.wanted = running;
    void this.apply();
  }

  private async apply(): Promise<void> {
    const want = this.enabled && this.wanted && document.visibilityState === 'visible';
    if (want && (!this.sentinel || this.sentinel.released)) {
      this.sentinel = await (navigator as WithWakeLock).wakeLock?.request('screen').catch(() => undefined);
    } else if (!want && this.sentinel && !this.sentinel.released) {
      await this.sentinel.release().catch(() => undefined);
      this.sentinel = undefined;
    }
  }

  /** For tests and the settings line: whether the lock is held now. */
  get held(): boolean {
    return !!this.sentinel && !this.sentinel.released;
  }
}
