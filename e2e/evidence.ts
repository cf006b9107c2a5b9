// What explains a failing end-to-end test: the server's request log, the page's and the worker's
// consoles, and a screenshot, attached to the test. Playwright's list reporter prints a failed test's
// text attachments, so CI's output shows them; a passing test's are never printed.
import { writeFile } from 'node:fs/promises';
import { test } from '@playwright/test';

/** The newest lines kept: enough for the minute before a failure, not a whole 1 GiB upload's log. */
const KEEP_LINES = 400;

export class Evidence {
  private readonly lines: string[] = [];
  private readonly started = performance.now();

  add(source: string, text: string): void {
    const at = ((performance.now() - this.started) / 1000).toFixed(3).padStart(8);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(`${at} ${source}: ${line}`);
      if (this.lines.length > KEEP_LINES) this.lines.shift();
    }
  }

  /** A sink for a server process's output (testkit/processes.ts `logs`). */
  sink(source: string): (text: string) => void {
    return (text) => this.add(source, text);
  }

  /** Attach what was gathered, and a screenshot, to the running test. */
  async attach(screenshot?: () => Promise<Buffer | Uint8Array | undefined>): Promise<void> {
    let info;
    try {
      info = test.info();
    } catch {
      return; // outside a test (a benchmark): nothing to attach to
    }
    // A browser in a bad way may never answer: the screenshot is given 3 s.
    let stopWaiting = () => {};
    const late = new Promise<undefined>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      stopWaiting = () => clearTimeout(timer);
    });
    const shot = await Promise.race([screenshot?.().catch(() => undefined), late]);
    stopWaiting();
    if (shot) {
      const file = info.outputPath('screenshot.png');
      await writeFile(file, shot);
      await info.attach('screenshot', { path: file, contentType: 'image/png' });
    }
    if (this.lines.length > 0) await info.attach('server log and consoles', { body: this.lines.join('\n'), contentType: 'text/plain' });
  }
}
