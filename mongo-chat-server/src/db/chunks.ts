/**
 * Bulk updates go to the database in commands of a few statements each.
 *
 * Why: FerretDB v1 (the test database here) keeps one SQLite connection open
 * per statement of an update command until the whole command ends, from a
 * pool of 100 per database. An update command of 100 statements waits forever
 * for a 101st connection, and a few large ones running at once stall each
 * other the same way (measured: 99 statements in one command take 0.1 s,
 * 100 never finish). On MongoDB small commands cost one round trip each and
 * nothing else. Every `bulkWrite` of updates in this service goes through here.
 */
import type { WriteTurns } from './write-turns';

/** Statements per update command: several such commands at once stay far below FerretDB's 100 connections. */
export const STATEMENTS_PER_COMMAND = 16;

/**
 * Runs `write` on consecutive chunks of `items`, one chunk at a time; answers each chunk's result. With `turns`
 * (a background write), each chunk waits for its turn among this process's writes.
 */
export async function inChunks<T, R>(
  items: readonly T[],
  write: (chunk: T[]) => Promise<R>,
  options: { size?: number; turns?: WriteTurns } = {},
): Promise<R[]> {
  const { size = STATEMENTS_PER_COMMAND, turns } = options;
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    results.push(await (turns ? turns.background(() => write(chunk)) : write(chunk)));
  }
  return results;
}
