// The push schedule (push/wakeups.ts) on a clock of its own: when a silent upload is pushed for, how the
// waits grow while nothing answers, and when the pushes stop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../log.js';
import { MAX_PUSHING_MS, Wakeups } from '../push/wakeups.js';

function scheduled(subscribed = true) {
  let now = 1_000_000;
  const sent: number[] = [];
  const wakeups = new Wakeups({
    subscriptionOf: async () => (subscribed ? { endpoint: 'https://push.example/x', keys: { p256dh: 'p', auth: 'a' } } : undefined),
    send: async () => {
      sent.push(now);
      return true;
    },
    forget: async () => undefined,
    now: () => now,
    log: createLogger('silent'),
    silentMs: 30_000,
  });
  /** Move the clock in steps of 5 s (the server's tick) for `ms`. */
  const pass = async (ms: number) => {
    for (const end = now + ms; now < end;) {
      now += 5000;
      await wakeups.tick();
    }
  };
  return { wakeups, sent, pass, at: () => now };
}

describe('push schedule', () => {
  it('pushes after 30 s of silence, then waits twice as long after each push nobody answered, up to 30 min', async () => {
    const { wakeups, sent, pass } = scheduled();
    wakeups.appended('owner', 'a', false);
    await pass(25_000);
    assert.equal(sent.length, 0, 'not before 30 s of silence');
    await pass(4 * 3600_000);
    const gaps = sent.slice(1).map((at, index) => (at - sent[index]!) / 1000);
    assert.deepEqual(gaps.slice(0, 6), [60, 120, 240, 480, 960, 1800]);
    assert.ok(gaps.every((gap) => gap <= 1800), 'never more than 30 min apart');
  });

  it('starts again at 30 s once an append answers, and stops for an upload that completed or was cancelled', async () => {
    const { wakeups, sent, pass } = scheduled();
    wakeups.appended('owner', 'a', false);
    await pass(200_000);
    const before = sent.length;
    wakeups.appended('owner', 'a', false);
    await pass(35_000);
    assert.equal(sent.length, before + 1, 'pushed 30 s after the answer');
    wakeups.appended('owner', 'a', true);
    await pass(3600_000);
    assert.equal(sent.length, before + 1, 'none once complete');
    wakeups.appended('owner', 'b', false);
    wakeups.ended('owner', 'b');
    await pass(3600_000);
    assert.equal(sent.length, before + 1, 'none once cancelled');
  });

  it(`gives up on an upload after ${MAX_PUSHING_MS / 3600_000} h, and pushes nothing for an owner with no subscription`, async () => {
    const { wakeups, sent, pass, at } = scheduled();
    wakeups.appended('owner', 'a', false);
    const start = at();
    await pass(MAX_PUSHING_MS + 3600_000);
    assert.ok(sent.length > 0 && sent.at(-1)! - start <= MAX_PUSHING_MS, 'the last push is within the bound');
    const unsubscribed = scheduled(false);
    unsubscribed.wakeups.appended('owner', 'a', false);
    await unsubscribed.pass(3600_000);
    assert.equal(unsubscribed.sent.length, 0);
  });
});
