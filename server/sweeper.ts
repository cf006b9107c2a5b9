// docs/design.md §1.3, expiry: partial uploads untouched for UPLOAD_TTL are removed.
import { uploadKey, type AppContext } from './context.js';

export function startSweeper(ctx: AppContext): () => void {
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= ctx.store
      .sweep(Date.now() - ctx.config.uploadTtlMs, (owner, id) => ctx.writers.current(uploadKey(owner, id)) !== undefined)
      .then((removed) => {
        if (removed > 0) ctx.log.info({ removed }, 'expired partial uploads removed');
      })
      .catch((error: unknown) => ctx.log.error({ err: error }, 'sweep failed'))
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, ctx.config.sweepIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
