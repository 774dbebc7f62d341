/**
 * An answer no older than the question: `get()` resolves with the result of a
 * call that started after `get()` was called. Callers that ask while a call is
 * waiting to start share it, and calls start at least `minGapMs` apart, so a
 * crowd asking at once costs one call, and a client asking in a loop costs at
 * most one call per gap.
 */
export function createFreshCall<T>(call: () => Promise<T>, minGapMs: number): () => Promise<T> {
  let waiting: Promise<T> | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;
  return () => {
    if (waiting) return waiting;
    const delay = Math.max(0, lastStart + minGapMs - Date.now());
    waiting = new Promise<void>((resolve) => { setTimeout(resolve, delay); }).then(() => {
      waiting = undefined;
      lastStart = Date.now();
      return call();
    });
    return waiting;
  };
}
