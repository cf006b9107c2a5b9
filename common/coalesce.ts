// Work asked for many times in a burst (300 files finishing, one after another) done at most
// twice: the run in progress, and one more after it that sees everything asked meanwhile.

/** `task` wrapped so that calls during a run share one more run after it, instead of piling up. */
export function coalesced(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })().finally(() => (running = undefined));
    return running;
  };
  return run;
}
