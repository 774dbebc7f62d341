/**
 * This process's writes take turns: one at a time, the sends' own writes
 * (the seq writer's rounds and timeline changes) first, background writes
 * (saved hints and read positions, notification marks and items) in
 * between, one piece at a time.
 *
 * The guarantee, enforced here: while both wait, foreground and background
 * alternate, so a send waits behind one background piece at most, and a
 * background save is never starved by a stream of sends. How long a piece
 * may hold the database (`pieceBudgetMs`) follows how long the sends' own
 * writes take, so a send waits behind a piece about as long as for its own
 * write (BackgroundPieces sizes the pieces).
 *
 * Why: FerretDB's SQLite storage has one write lock, and a writer that finds it
 * taken sleeps with back-off before it tries again. Background writes sent
 * one after another kept taking the lock while a send's insert slept: at
 * 100 msg/s the acknowledgement p99 reached 500 ms. Taking turns in the
 * process means our own writes never wait on each other in the database.
 */
/**
 * A background piece may always hold the database this long. On FerretDB an update command of four statements
 * takes about this long, and smaller commands cost more database CPU per statement than they save in waiting
 * (one statement: 1.8 ms, two: 2.2 ms, four: 3.7 ms, sixteen: 10.5 ms).
 */
const MIN_PIECE_MS = 4;

/** Weight of the newest foreground write in the running average of their durations. */
const SMOOTHING = 0.1;

export class WriteTurns {
  private busy = false;

  /** Running average of how long a foreground write takes, ms. */
  private foregroundMs = MIN_PIECE_MS;

  private lastWasBackground = false;

  private readonly foregroundQueue: Array<() => void> = [];

  private readonly backgroundQueue: Array<() => void> = [];

  /** No more sends come (the service is closing): the background may take as long a piece as it needs. */
  private sendsEnded = false;

  /** `clock` times the writes (ms). */
  constructor(readonly clock: () => number = () => performance.now()) {}

  /** Runs a send's write in its turn. */
  foreground<T>(write: () => Promise<T>): Promise<T> {
    return this.inTurn(this.foregroundQueue, false, async () => {
      const started = this.clock();
      try {
        return await write();
      } finally {
        this.foregroundMs += SMOOTHING * (this.clock() - started - this.foregroundMs);
      }
    });
  }

  /** Runs one piece of a background write in its turn. */
  background<T>(write: () => Promise<T>): Promise<T> {
    return this.inTurn(this.backgroundQueue, true, write);
  }

  /**
   * How long one background piece should hold the database, ms: as long as a foreground write takes on average,
   * and never less than MIN_PIECE_MS. Light load keeps pieces short; under load, when every write waits behind a
   * round of many sends anyway, pieces grow so the background keeps up.
   */
  pieceBudgetMs(): number {
    return this.sendsEnded ? Number.POSITIVE_INFINITY : Math.max(MIN_PIECE_MS, this.foregroundMs);
  }

  /** No more sends will come (the service stopped taking requests): what is left of the background goes in big pieces. */
  endSends(): void {
    this.sendsEnded = true;
  }

  private async inTurn<T>(queue: Array<() => void>, background: boolean, write: () => Promise<T>): Promise<T> {
    if (this.busy) await new Promise<void>((resolve) => { queue.push(resolve); });
    else this.busy = true;
    this.lastWasBackground = background;
    try {
      return await write();
    } finally {
      this.next();
    }
  }

  private next(): void {
    const preferBackground = !this.lastWasBackground && this.backgroundQueue.length > 0;
    const wake = preferBackground
      ? this.backgroundQueue.shift()
      : this.foregroundQueue.shift() ?? this.backgroundQueue.shift();
    if (wake) wake();
    else this.busy = false;
  }
}
