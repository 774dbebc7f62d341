/**
 * While a dependency is away every request fails the same way, hundreds per
 * second: one line per kind of failure per window, with the number folded into
 * it, keeps the log readable and its cost from adding to the outage.
 */
const FOLD_WINDOW_MS = 5000;
const MAX_KINDS = 100;

export interface OutageFolding {
  /** null: log nothing now; else log, noting this many like it that were not logged. */
  fold: (key: string | null) => number | null;
}

export function createOutageFolding(windowMs = FOLD_WINDOW_MS): OutageFolding {
  const seen = new Map<string, { at: number; folded: number }>();
  return {
    fold(key) {
      if (key === null) return 0;
      const now = Date.now();
      const last = seen.get(key);
      if (last && now - last.at < windowMs) {
        last.folded += 1;
        return null;
      }
      if (seen.size >= MAX_KINDS) seen.clear();
      seen.set(key, { at: now, folded: 0 });
      return last?.folded ?? 0;
    },
  };
}
