// The tutorial's resumable client, unchanged, in the page: status by fetch, then one XHR POST
// of the rest of the file, stopped with xhr.abort() and started again a moment later.
// Through a middlebox that still delivers what it held after the client went away.
import { expect, type Page } from '@playwright/test';
import { pickInOwnInput } from '../build/testkit/chromium.js';
import { ownerCookie, storedSha } from '../build/testkit/server-view.js';
import { MB, type Harness } from './harness.ts';

/** One stop and the resume after it. */
export interface ClassicResume {
  /** What GET /status answered before the append. */
  start: number;
  /**
   * `accepted`: the append was still running when it was stopped, and the server kept bytes of it
   * (the next status answered more than `start`). `not moving`: it ran, but nothing of it was kept.
   */
  outcome: 'accepted' | 'done' | `refused ${number}` | 'network error' | 'not moving';
}

export interface ClassicPlan {
  /** How long each append runs before it is stopped, ms. */
  stopAfterMs: number[];
  /** How long after each stop the client starts again, ms. */
  resumeAfterMs: number[];
}

/**
 * Run the plan against the file picked in `#classic-input`, then one last append that runs to the end.
 * Returns every attempt, the last one included, and the id the client used.
 */
export function runClassicClient(page: Page, plan: ClassicPlan): Promise<{ id: string; size: number; attempts: ClassicResume[] }> {
  return page.evaluate(async ({ stopAfterMs, resumeAfterMs }) => {
    const picked = (document.querySelector('#classic-input') as HTMLInputElement).files![0]!;
    const id = `${picked.name}-${picked.size}-${picked.lastModified}`;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const status = async () => Number(await (await fetch('/status', { headers: { 'X-File-Id': id }, cache: 'no-store' })).text());
    const post = (start: number) => {
      const xhr = new XMLHttpRequest();
      const ended = new Promise<ClassicResume['outcome']>((resolve) => {
        xhr.onload = () => resolve(xhr.status === 200 ? 'done' : `refused ${xhr.status}`);
        xhr.onerror = () => resolve('network error');
      });
      xhr.open('POST', '/upload', true);
      xhr.setRequestHeader('X-File-Id', id);
      xhr.setRequestHeader('X-Start-Byte', String(start));
      xhr.send(picked.slice(start));
      return { xhr, ended };
    };

    const attempts: ClassicResume[] = [];
    for (const [index, runFor] of stopAfterMs.entries()) {
      const start = await status();
      const { xhr, ended } = post(start);
      const early = await Promise.race([ended, sleep(runFor).then(() => undefined)]);
      if (early) {
        attempts.push({ start, outcome: early });
        if (early === 'done') break;
      } else {
        // Still sending; whether the server kept any of it, the next status tells.
        xhr.abort();
        attempts.push({ start, outcome: 'not moving' });
      }
      await sleep(resumeAfterMs[index] ?? 0);
    }
    if (attempts.at(-1)?.outcome !== 'done') {
      const start = await status();
      attempts.push({ start, outcome: await post(start).ended });
    }
    for (const [index, attempt] of attempts.entries()) {
      if (attempt.outcome === 'not moving' && (attempts[index + 1]?.start ?? 0) > attempt.start) attempt.outcome = 'accepted';
    }
    return { id, size: picked.size, attempts };
  }, plan);
}

/** Stops after 0.4 to 1.3 s of sending, resumes 0 to 500 ms later; STOPS=20 for the issue's report. */
function classicPlan(stops = Number(process.env.STOPS ?? 10)) {
  return {
    stopAfterMs: Array.from({ length: stops }, (_, index) => 400 + ((index * 7) % 10) * 100),
    resumeAfterMs: Array.from({ length: stops }, (_, index) => Math.round((index * 500) / Math.max(1, stops - 1))),
  };
}

/** Pick a file for the classic client, run the plan through the middlebox, and check every resume and the bytes. */
export async function classicStopAndResume(app: Harness): Promise<void> {
  // Each connection moves 4 MB/s, and the middlebox holds up to 1 MiB of it: a stopped request's
  // bytes keep arriving for up to a quarter of a second after the client has gone.
  app.proxy.hold({ bytesPerSecond: 4 * MB, holdBytes: 1 << 20 });
  await app.open();
  const plan = classicPlan();
  const file = await app.makeFile('survey-footage.bin', plan.stopAfterMs.length * 5 * MB + 3 * MB + 17);
  await pickInOwnInput(app.page, 'classic-input', file.path);
  const { id, attempts } = await runClassicClient(app.page, plan);
  const accepted = attempts.filter((attempt) => attempt.outcome === 'accepted' || attempt.outcome === 'done').length;
  console.log(`classic client: ${accepted} of ${attempts.length} appends taken; ${attempts.map((attempt) => `${attempt.start}:${attempt.outcome}`).join(' ')}`);
  expect(attempts.map((attempt) => attempt.outcome), 'every append is taken').toEqual([...Array(attempts.length - 1).fill('accepted'), 'done']);

  // The classic client never declares a size; declaring it completes the upload for download.
  const cookie = await ownerCookie(app.context, app.url);
  const finish = await fetch(`${app.ferry.url}/upload`, {
    method: 'POST',
    headers: { cookie, 'X-File-Id': id, 'X-Start-Byte': String(file.size), 'X-File-Size': String(file.size) },
    body: new Uint8Array(0),
  });
  expect(finish.status, await finish.text()).toBe(200);
  expect(await storedSha(app.ferry.url, cookie, id)).toBe(file.sha256);
}
