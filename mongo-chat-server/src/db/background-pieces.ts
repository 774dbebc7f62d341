/**
 * One background writer's bulk writes (a pass of saved read positions, hints
 * or notification marks; a pass's notification items), cut into pieces that
 * each take their turn among this process's writes (WriteTurns).
 *
 * The guarantee, enforced here: a piece holds the database about as long as
 * the turns allow (`pieceBudgetMs`), whatever the database: each writer's
 * next piece is its last one scaled by budget ÷ the time it took (at most
 * doubled), between the writer's `min` and `max`. A command's fixed cost
 * makes the scaled guess short, so sizes climb to the budget from below.
 *
 * Why adapt instead of a fixed size: on FerretDB's SQLite storage each
 * statement of an update costs about 0.6 ms and a command about 1.5 ms more,
 * so a piece of 16 statements held a send's insert (2.5 ms) for 10 ms or more;
 * on MongoDB 16 statements cost less than one round trip. Measured with the
 * store profiler at 100 msg/s (FerretDB), send → stored p99 was 75–116 ms
 * with fixed pieces of 16 statements and 100 items, 49–52 ms with fixed 4 and
 * 25, 21–45 ms with fixed one or two and ten, and 27–43 ms sized by time;
 * p50 unchanged. Pieces of one or two statements cost the database about a
 * third more CPU at that rate (one command per membership), pieces of four
 * none: hence the 4 ms floor of the budget.
 */
import { STATEMENTS_PER_COMMAND } from './chunks';
import type { WriteTurns } from './write-turns';

export interface PieceSizes {
  /**
   * Fewest items in a piece: where a command's own cost dominates (an insert of one document costs FerretDB about
   * 1.7 ms, of ten 2.2 ms), smaller pieces only add commands.
   */
  min: number;
  /** Most items in a piece (a command's limit on the database). */
  max: number;
}

/** Pieces of a bulk update: one statement costs about as much as the command around it. */
export const UPDATE_PIECES: PieceSizes = { min: 1, max: STATEMENTS_PER_COMMAND };

export class BackgroundPieces {
  /** Items in the next piece; starts at the least, so a first pass on a slow database never holds it long. */
  private size: number;

  constructor(private readonly turns: WriteTurns, private readonly sizes: PieceSizes) {
    this.size = sizes.min;
  }

  /** Runs `write` on consecutive pieces of `items`, each in its turn, one after another; answers each piece's result. */
  async run<T, R>(items: readonly T[], write: (piece: T[], start: number) => Promise<R>): Promise<R[]> {
    const results: R[] = [];
    let start = 0;
    while (start < items.length) {
      const from = start;
      // The size is read inside the turn: the piece before, of this writer, may have just changed it.
      const { result, length } = await this.turns.background(async () => {
        const piece = items.slice(from, from + this.size);
        const started = this.turns.clock();
        const answer = await write(piece, from);
        this.adapt(piece.length, this.turns.clock() - started);
        return { result: answer, length: piece.length };
      });
      results.push(result);
      start += length;
    }
    return results;
  }

  /** The next size, from how long a piece of `length` items took. */
  private adapt(length: number, ms: number): void {
    const scaled = Math.round((length * this.turns.pieceBudgetMs()) / Math.max(ms, 0.001));
    this.size = Math.max(this.sizes.min, Math.min(this.sizes.max, 2 * length, scaled));
  }
}
