// One polite live region for the whole screen: screen readers hear what changed (a file done, failed,
// waiting; the batch paused or cancelled), at most once every few seconds, the latest news winning.
// Rows and the batch line are not live regions themselves: 13 rows and a batch line that changed 23
// times in 5 s were all being read out.
const EVERY_MS = 3000;

export class Announcer {
  private saidAt = -Infinity;
  private next: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly region: HTMLElement) {}

  say(text: string): void {
    this.next = text;
    if (this.timer) return;
    const wait = this.saidAt + EVERY_MS - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.next === undefined) return;
    this.region.textContent = this.next;
    this.next = undefined;
    this.saidAt = Date.now();
  }
}
