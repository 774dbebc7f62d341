/**
 * A cache that other data-service replicas can invalidate: every change that
 * makes cached answers wrong (a membership removed, a session signed out)
 * writes a new random token into one marker document (`markers`, by `_id`),
 * after the change itself is stored. A process trusts what it cached only
 * while the token it read last is at most `staleMs` old (past `freshMs` a new
 * read starts in the background), and when the token changed, it drops
 * everything cached for that marker. So a change made through another replica
 * reaches this one within `staleMs`, for one `{_id}` read a second at most.
 *
 * A random token, not a counter: FerretDB applies concurrent updates
 * non-atomically, and two writers each setting a new token still leave one
 * that differs from what a reader saw before.
 */
import { randomUUID } from 'node:crypto';
import type { MarkerModel } from './models/marker';

/** A token that changes every time the marked fact happens again. */
export interface Marker {
  read(): Promise<string | null>;
  change(): Promise<void>;
}

export const markerIn = (Marker: MarkerModel, id: string): Marker => ({
  read: async () => (await Marker.findById(id, { token: 1 }).lean())?.token ?? null,
  change: async () => {
    await Marker.updateOne({ _id: id }, { $set: { token: randomUUID(), at: new Date() } }, { upsert: true });
  },
});

export interface MarkerWatchOptions {
  /** A marker read this recently is trusted without a new read. */
  freshMs?: number;
  /** Past this, `current()` waits for a new read. */
  staleMs?: number;
}

export class MarkerWatch {
  private readonly freshMs: number;

  private readonly staleMs: number;

  /** The token as last read (undefined: never read). */
  private seen: string | null | undefined;

  /** When the last successful read started. */
  private checkedAt = -Infinity;

  private reading?: Promise<void>;

  /** `dropAll` forgets everything cached under this marker (and any read in flight). */
  constructor(private readonly marker: Marker, private readonly dropAll: () => void, options: MarkerWatchOptions = {}) {
    this.freshMs = options.freshMs ?? 1000;
    this.staleMs = options.staleMs ?? 5000;
  }

  /**
   * Resolves once what is cached accounts for every change announced up to `staleMs` ago: at once while the
   * marker read last is fresh enough, else after reading it again. Rejects when the marker cannot be read and
   * the last read is stale: then nothing cached may be trusted.
   */
  current(): Promise<void> {
    const age = Date.now() - this.checkedAt;
    if (age < this.freshMs) return Promise.resolve();
    this.reading ??= this.read().finally(() => { this.reading = undefined; });
    if (age < this.staleMs) {
      this.reading.catch(() => undefined);
      return Promise.resolve();
    }
    return this.reading;
  }

  /** Tells every replica (this one included, at its next read) that cached answers went wrong. */
  announce(): Promise<void> {
    return this.marker.change();
  }

  private async read(): Promise<void> {
    const started = Date.now();
    const token = await this.marker.read();
    if (token !== this.seen) {
      // Changed somewhere (or never read since this process started): what is cached may be wrong.
      this.dropAll();
      this.seen = token;
    }
    this.checkedAt = started;
  }
}
