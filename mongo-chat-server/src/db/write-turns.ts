/**
 * This process's writes take turns: one at a time, the sends' own writes
 * (the seq writer's rounds and timeline changes) first, background writes
 * (saved hints and read positions, notification marks and items) in
 * between, one piece at a time.
 *
 * The guarantee, enforced here: while both wait, foreground and background
 * alternate, so a send waits behind one background piece at most, and a
 * background save is never starved by a stream of sends.
 *
 * Why: FerretDB's SQLite storage has one write lock, and a writer that finds it
 * taken sleeps with back-off before it tries again. Background writes sent
 * one after another kept taking the lock while a send's insert slept: at
 * 100 msg/s the acknowledgement p99 reached 500 ms. Taking turns in the
 * process means our own writes never wait on each other in the database.
 */
export class WriteTurns {
  private busy = false;

  private lastWasBackground = false;

  private readonly foregroundQueue: Array<() => void> = [];

  private readonly backgroundQueue: Array<() => void> = [];

  /** Runs a send's write in its turn. */
  foreground<T>(write: () => Promise<T>): Promise<T> {
    return this.inTurn(this.foregroundQueue, false, write);
  }

  /** Runs one piece of a background write in its turn. */
  background<T>(write: () => Promise<T>): Promise<T> {
    return this.inTurn(this.backgroundQueue, true, write);
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
