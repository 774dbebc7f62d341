/**
 * A cap on work in flight, with a FIFO queue behind it. It keeps a crowd (a
 * thousand clients reconnecting at once) from becoming a thousand concurrent
 * calls on the data service, which would only make every one of them slow.
 */
import { AppError } from '@chat/shared';

export interface ConcurrencyLimit {
  /**
   * Runs `task` once a slot is free. A queued task whose `signal` aborts (its
   * caller gave up) leaves the queue without running: UNAVAILABLE.
   */
  run: <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
  /** Tasks running and waiting, for tests and metrics. */
  load: () => { running: number; waiting: number };
}

interface Waiter {
  start: () => void;
  signal?: AbortSignal;
}

export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  let running = 0;
  const waiting: Waiter[] = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) next.start();
  };

  const acquire = (signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(new AppError('UNAVAILABLE', 'gave up waiting; retry shortly'));
    if (running < max) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          running += 1;
          resolve();
        },
      };
      function onAbort() {
        const index = waiting.indexOf(waiter);
        if (index >= 0) waiting.splice(index, 1);
        reject(new AppError('UNAVAILABLE', 'the server is busy; retry shortly'));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter);
    });
  };

  return {
    run: async (task, signal) => {
      await acquire(signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
    load: () => ({ running, waiting: waiting.length }),
  };
}
