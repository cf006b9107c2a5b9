// Wake-ups by Web Push (issue 33): while an owner has an unfinished upload that has been silent for a
// while, push "continue" to their worker, which runs its engine on `push`. A push not followed by any
// append doubles the wait before the next one; the pushes stop when the upload completes or is
// cancelled, or after MAX_PUSHING_MS. What this instance served is what it knows: after a restart an
// upload is known again from its next append.
import type { Logger } from 'pino';
import type { PushSubscriptionRecord } from '../store/port.js';

/** What the pushes need of the rest of the server. */
export interface WakeupDeps {
  subscriptionOf(owner: string): Promise<PushSubscriptionRecord | undefined>;
  /** Send one push; resolves to false when the push service says the subscription is gone (404, 410). */
  send(subscription: PushSubscriptionRecord, payload: string): Promise<boolean>;
  forget(owner: string): Promise<void>;
  now(): number;
  log: Logger;
  /** An upload silent this long is pushed for (30 s). */
  silentMs: number;
}

/** Pushes stop after this long without the upload completing. */
export const MAX_PUSHING_MS = 24 * 3600 * 1000;
/** The longest wait between two pushes that were not followed by an append. */
const MAX_BACKOFF_MS = 30 * 60 * 1000;

interface Pending {
  /** When an append last touched it. */
  lastAppendAt: number;
  /** When it was first seen unfinished: pushes stop MAX_PUSHING_MS later. */
  since: number;
}

interface OwnerState {
  uploads: Map<string, Pending>;
  pushedAt: number;
  /** Pushes in a row with no append after them. */
  unanswered: number;
}

export class Wakeups {
  private readonly owners = new Map<string, OwnerState>();
  private ticking: Promise<void> | undefined;
  /** Pushes sent, for tests and metrics. */
  sent = 0;

  constructor(private readonly deps: WakeupDeps) {}

  /** An append of `id` ended (`complete`: the upload is done, so no push is needed for it). */
  appended(owner: string, id: string, complete: boolean): void {
    if (complete) return this.ended(owner, id);
    const state = this.stateOf(owner);
    const now = this.deps.now();
    state.uploads.set(id, { lastAppendAt: now, since: state.uploads.get(id)?.since ?? now });
    state.unanswered = 0;
  }

  /** The upload completed, or was cancelled or removed. */
  ended(owner: string, id: string): void {
    const state = this.owners.get(owner);
    state?.uploads.delete(id);
    if (state?.uploads.size === 0) this.owners.delete(owner);
  }

  /** Look at every owner once; run every few seconds. Overlapping calls share one look. */
  tick(): Promise<void> {
    this.ticking ??= this.look().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async look(): Promise<void> {
    const now = this.deps.now();
    for (const [owner, state] of [...this.owners]) {
      for (const [id, pending] of state.uploads) if (now - pending.since > MAX_PUSHING_MS) state.uploads.delete(id);
      if (state.uploads.size === 0) {
        this.owners.delete(owner);
        continue;
      }
      const silentSince = Math.max(...[...state.uploads.values()].map((pending) => pending.lastAppendAt), state.pushedAt);
      const wait = Math.min(MAX_BACKOFF_MS, this.deps.silentMs * 2 ** state.unanswered);
      if (now - silentSince < wait) continue;
      const subscription = await this.deps.subscriptionOf(owner).catch(() => undefined);
      if (!subscription) continue;
      state.pushedAt = now;
      state.unanswered += 1;
      const kept = await this.deps.send(subscription, JSON.stringify({ type: 'ferry:continue', uploads: state.uploads.size })).catch((error: unknown) => {
        this.deps.log.warn({ err: (error as Error).message }, 'a push was not sent');
        return true;
      });
      this.sent += 1;
      if (!kept) await this.deps.forget(owner);
    }
  }

  private stateOf(owner: string): OwnerState {
    let state = this.owners.get(owner);
    if (!state) this.owners.set(owner, (state = { uploads: new Map(), pushedAt: 0, unanswered: 0 }));
    return state;
  }
}
