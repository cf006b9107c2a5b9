// nginx sends only to ready instances: each instance's GET /readyz is asked every second, and when
// the set that answers 200 changes, the others are marked `down` and nginx reloaded. Open-source nginx
// has no active health checks; its passive ones (max_fails) would take an instance out only after
// requests failed on it, and Ferry's own shutdown (readyz 503 while draining) would go unseen.
import { waitUntil } from './daemons.js';
import type { Nginx } from './nginx.js';

const EVERY_MS = 1000;
const ANSWER_WITHIN_MS = 1000;

export interface ReadinessWatch {
  /** What nginx routes to now, one entry per instance. */
  readonly routed: readonly boolean[];
  /** Resolves once a poll begun after this call left nginx routing exactly as `expected`. */
  until(expected: boolean[], timeoutMs?: number): Promise<void>;
  /** Stops asking, once the ask under way is done. */
  stop(): Promise<void>;
}

export function watchReadiness(nginx: Nginx, urls: string[], log: (line: string) => void = () => {}): ReadinessWatch {
  let routed = urls.map(() => true);
  let stopped = false;
  // Polls begun, and polls whose routing is in force: a wait counts only polls begun after it.
  let begun = 0;
  let applied = 0;
  const ready = async (url: string) => {
    try {
      const reply = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
      await reply.body?.cancel(); // only the status counts; an unread body would hold the connection
      return reply.status === 200;
    } catch {
      return false;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const poll = ++begun;
      const now = await Promise.all(urls.map(ready));
      // None ready (Redis or the store down for all): keep them all, so clients get Ferry's own 503 and Retry-After, not nginx's 502.
      const next = now.some(Boolean) ? now : urls.map(() => true);
      if (!stopped && next.some((value, n) => value !== routed[n])) {
        await nginx.route(next).then(() => {
          routed = next;
          log(`nginx routes to ${urls.filter((_, n) => next[n]).join(', ')}`);
        }, (error: unknown) => log(`nginx reload failed: ${String(error)}`));
      }
      applied = poll;
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
  })();
  return {
    get routed() {
      return routed;
    },
    async until(expected, timeoutMs = 15_000) {
      const after = begun;
      const routes = async () => applied > after && expected.every((value, n) => value === routed[n]);
      await waitUntil(`nginx routing ${JSON.stringify(expected)}`, routes, timeoutMs).catch((error: Error) => {
        throw new Error(`${error.message}; it routes ${JSON.stringify(routed)}`);
      });
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
