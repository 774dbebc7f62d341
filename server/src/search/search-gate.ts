/**
 * One search at a time per user on each chat server (docs/search.md): a
 * search can cost the database seconds where it has no text index, so a
 * second search from the same person while the first runs is refused with
 * RATE_LIMITED instead of queueing more work.
 */
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';

export function createSearchGate() {
  const running = new Set<Up>();
  return {
    async run<T>(up: Up, task: () => Promise<T>): Promise<T> {
      if (running.has(up)) throw new AppError('RATE_LIMITED', 'a search of yours is still running; wait for its answer');
      running.add(up);
      try {
        return await task();
      } finally {
        running.delete(up);
      }
    },
  };
}

export type SearchGate = ReturnType<typeof createSearchGate>;
