/**
 * Bulk updates go to the database in commands of a few statements each.
 *
 * Why: FerretDB v1 (the test database here) keeps one SQLite connection open
 * per statement of an update command until the whole command ends, from a
 * pool of 100 per database. An update command of 100 statements waits forever
 * for a 101st connection, and a few large ones running at once stall each
 * other the same way (measured: 99 statements in one command take 0.1 s,
 * 100 never finish). On MongoDB small commands cost one round trip each and
 * nothing else. Every `bulkWrite` of updates in this service goes through
 * here, or, for a background write, through BackgroundPieces, whose pieces
 * stay within the same size.
 */
/** Statements per update command: several such commands at once stay far below FerretDB's 100 connections. */
export const STATEMENTS_PER_COMMAND = 16;

/**
 * Runs `write` on consecutive chunks of `items` (with the index of each chunk's first item), one chunk at a time;
 * answers each chunk's result. A background write goes through BackgroundPieces instead (smaller pieces, each in
 * its turn), at most this size.
 */
export async function inChunks<T, R>(
  items: readonly T[],
  write: (chunk: T[], start: number) => Promise<R>,
  size = STATEMENTS_PER_COMMAND,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(await write(items.slice(i, i + size), i));
  return results;
}
