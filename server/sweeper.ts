// docs/design.md §1.3, expiry: partial uploads untouched for UPLOAD_TTL are removed, each
// while the sweeper holds its writer lock, so no append can start on it halfway through.
import { uploadKey, type AppContext } from './context.js';
import type { SweepGuard } from './store/port.js';

export function startSweeper(ctx: AppContext): () => void {
  let running: Promise<void> | undefined;
  const guard: SweepGuard = async (owner, id, remove) => {
    // Never a takeover: an upload someone writes, here or on another instance, is not stale.
    const lease = await ctx.writers.tryAcquire(uploadKey(owner, id));
    if (!lease) return false;
    try {
      return await remove();
    } finally {
      lease.release();
    }
  };
  const sweep = () => {
    running ??= ctx.store
      .sweep(Date.now() - ctx.config.uploadTtlMs, guard)
      .then(async (removed) => {
        if (removed > 0) ctx.log.info({ removed }, 'expired partial uploads removed');
        const owners = await ctx.tokens.sweep(Date.now() - ctx.config.uploadTtlMs);
        if (owners > 0) ctx.log.info({ owners }, 'token records of owners with nothing stored removed');
      })
      .catch((error: unknown) => ctx.log.error({ err: error }, 'sweep failed'))
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, ctx.config.sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
