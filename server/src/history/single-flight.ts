/** Concurrent calls with the same key share one execution (and its result or error). */
export function singleFlight<T>() {
  const running = new Map<string, Promise<T>>();
  return (key: string, run: () => Promise<T>): Promise<T> => {
    const existing = running.get(key);
    if (existing) return existing;
    const promise = run().finally(() => { running.delete(key); });
    running.set(key, promise);
    return promise;
  };
}
