/**
 * Saves high-water marks in the background, coalesced and paced: numbers
 * per key that only go up (a group's last seq and last revision, the newest
 * seq turned into notifications), however many times they move meanwhile, are
 * saved once per pass, and ALL of a pass goes to the database as one bulk
 * `$max` write.
 *
 * Why: on a database where every update costs milliseconds and where
 * concurrent writers queue for one lock (FerretDB's SQLite backend), an update
 * per group per round would cost more than storing the messages, and a
 * hundred concurrent updates stall every other write. Passes are paced (one
 * every `intervalMs` at most), so a saved mark lags its true value by that
 * much at most; every user of a mark treats it as a starting point that may lag.
 * A pass that fails keeps its marks and is retried after `retryMs`.
 */

/** One document to save: its database id and the value each of its fields has reached. */
export interface Mark<Id, Field extends string> {
  id: Id;
  values: Partial<Record<Field, number>>;
}

export interface MaxSaverOptions<Id, Field extends string> {
  /** Writes a pass: `$max` of each document's values (`{ $max: mark.values }`), in one command. */
  save: (marks: Mark<Id, Field>[]) => Promise<unknown>;
  /** Told when a pass fails (its marks are kept and retried). */
  onError: (err: unknown) => void;
  intervalMs?: number;
  retryMs?: number;
}

export class MaxSaver<Id, Field extends string> {
  private readonly dirty = new Map<string, Mark<Id, Field>>();

  /** The marks of the pass being written, until it is done. */
  private saving = new Map<string, Mark<Id, Field>>();

  private running: Promise<void> | undefined;

  private waitTimer: NodeJS.Timeout | undefined;

  /** No pass starts before this time (pacing, or a retry after a failure). */
  private notBefore = 0;

  private closed = false;

  private readonly intervalMs: number;

  private readonly retryMs: number;

  constructor(private readonly options: MaxSaverOptions<Id, Field>) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.retryMs = options.retryMs ?? 1000;
  }

  /** Records that the fields of `id` have reached `values`. */
  mark(id: Id, values: Partial<Record<Field, number>>): void {
    this.keep({ id, values });
    this.kick();
  }

  /**
   * The highest value of `field` marked for `key` that is not saved yet (marked since the last pass, or in the
   * pass being written): what a reader in this process adds to what it reads from the database.
   */
  unsaved(key: string, field: Field): number | undefined {
    const marked = this.dirty.get(key)?.values[field];
    const inFlight = this.saving.get(key)?.values[field];
    if (marked === undefined) return inFlight;
    return inFlight === undefined ? marked : Math.max(marked, inFlight);
  }

  /** The key (`String(id)`) is gone: nothing to save for it. */
  forget(key: string): void {
    this.dirty.delete(key);
  }

  /** Saves everything marked so far (one attempt; a database that is down is not waited for). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    await this.running;
    if (this.dirty.size > 0) await this.pass().catch(this.options.onError);
  }

  private kick(): void {
    if (this.running || this.waitTimer || this.closed || this.dirty.size === 0) return;
    const wait = this.notBefore - Date.now();
    if (wait > 0) {
      this.waitTimer = setTimeout(() => { this.waitTimer = undefined; this.kick(); }, wait);
      this.waitTimer.unref();
      return;
    }
    this.running = this.saveOnce().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async saveOnce(): Promise<void> {
    this.notBefore = Date.now() + this.intervalMs;
    try {
      await this.pass();
    } catch (err) {
      this.options.onError(err);
      this.notBefore = Math.max(this.notBefore, Date.now() + this.retryMs);
    }
  }

  /** One pass over what is dirty; on failure every mark of it stays dirty (`$max` makes saving twice harmless). */
  private async pass(): Promise<void> {
    const batch = [...this.dirty.values()];
    this.saving = new Map(this.dirty);
    this.dirty.clear();
    try {
      await this.options.save(batch);
    } catch (err) {
      batch.forEach((entry) => this.keep(entry));
      throw err;
    } finally {
      this.saving = new Map();
    }
  }

  /** Merges `entry` into what is dirty: per field, the highest value wins. */
  private keep(entry: Mark<Id, Field>): void {
    const key = String(entry.id);
    const current = this.dirty.get(key);
    if (!current) {
      this.dirty.set(key, { id: entry.id, values: { ...entry.values } });
      return;
    }
    (Object.keys(entry.values) as Field[]).forEach((field) => {
      const value = entry.values[field];
      const held = current.values[field];
      if (value !== undefined && (held === undefined || value > held)) current.values[field] = value;
    });
  }
}
