/**
 * Who is known to be a member: every stored message checks its sender, and on
 * a database that costs milliseconds per `{_id}` lookup those checks would
 * cost more than storing the messages. Only positive answers are kept,
 * learned wherever memberships are read or made anyway (a handshake's group
 * lookup, a join's membership check, adding members), so a sender is usually
 * known before their first message.
 *
 * The guarantee, enforced here: a member removed through this process is
 * refused at once; one removed through another replica is refused within
 * `staleMs` (5 s). Every removal changes a marker document (`announce`, after
 * the membership is gone); a cached answer is used only while the marker read
 * last is at most `staleMs` old (past `freshMs` a new read starts in the
 * background), and when the marker changed, everything cached is forgotten.
 * So the cache costs one `{_id}` read a second at most, instead of one per
 * sender, and an entry may live `ttlMs` (10 min): that bounds only a removal
 * whose marker could not be written.
 */
import { randomUUID } from 'node:crypto';
import { TtlSet } from '@chat/shared';
import type { MarkerModel } from '../db/models/marker';

/** Taken before a read; an answer read before a revocation is not kept. */
export type ReadMark = number;

/** Where removals are told to the other replicas: a token that changes at every removal. */
export interface RemovalMarker {
  read(): Promise<string | null>;
  change(): Promise<void>;
}

const REMOVALS = 'membership-removals';

/** The removal marker as a document of the markers collection. */
export const removalMarkerIn = (Marker: MarkerModel): RemovalMarker => ({
  read: async () => (await Marker.findById(REMOVALS, { token: 1 }).lean())?.token ?? null,
  change: async () => {
    await Marker.updateOne({ _id: REMOVALS }, { $set: { token: randomUUID(), at: new Date() } }, { upsert: true });
  },
});

export interface MemberCacheOptions {
  /** Removals made elsewhere; without it, only this process's removals are seen (one replica). */
  marker?: RemovalMarker;
  ttlMs?: number;
  maxEntries?: number;
  /** A marker read this recently is trusted without a new read. */
  freshMs?: number;
  /** Past this, a cached answer waits for a new read of the marker. */
  staleMs?: number;
}

export class MemberCache {
  private readonly known: TtlSet<string>;

  private revocations = 0;

  private readonly marker?: RemovalMarker;

  private readonly freshMs: number;

  private readonly staleMs: number;

  /** The marker's token as last read (undefined: never read). */
  private seen: string | null | undefined;

  /** When the last successful marker read started. */
  private checkedAt = -Infinity;

  private reading?: Promise<void>;

  constructor(options: MemberCacheOptions = {}) {
    this.known = new TtlSet(options.ttlMs ?? 600000, options.maxEntries ?? 100000);
    this.marker = options.marker;
    this.freshMs = options.freshMs ?? 1000;
    this.staleMs = options.staleMs ?? 5000;
  }

  /** Known as a member; ask `current()` before trusting it across replicas. */
  has(membership: string): boolean {
    return this.known.has(membership);
  }

  /**
   * Resolves once what is cached accounts for every removal announced up to `staleMs` ago: at once while the
   * marker read last is fresh enough, else after reading it again. Rejects when the marker cannot be read and
   * the last read is stale: then nothing cached may be trusted.
   */
  current(): Promise<void> {
    if (!this.marker) return Promise.resolve();
    const age = Date.now() - this.checkedAt;
    if (age < this.freshMs) return Promise.resolve();
    this.reading ??= this.readMarker(this.marker).finally(() => { this.reading = undefined; });
    if (age < this.staleMs) {
      this.reading.catch(() => undefined);
      return Promise.resolve();
    }
    return this.reading;
  }

  /** Call before reading memberships from the database; pass the mark to `add`. */
  mark(): ReadMark {
    return this.revocations;
  }

  /** Keeps memberships read (or made) since `mark`, unless something was revoked meanwhile. */
  add(memberships: Iterable<string>, since: ReadMark): void {
    if (since !== this.revocations) return;
    for (const membership of memberships) this.known.add(membership);
  }

  revoke(membership: string): void {
    this.revocations += 1;
    this.known.delete(membership);
  }

  /** Every member of a deleted group. */
  revokeGroup(group: string): void {
    this.revocations += 1;
    const prefix = `${group}:`;
    this.known.deleteWhere((key) => key.startsWith(prefix));
  }

  /** Tells the other replicas a membership is gone; call once it is removed from the database. */
  async announce(): Promise<void> {
    await this.marker?.change();
  }

  private async readMarker(marker: RemovalMarker): Promise<void> {
    const started = Date.now();
    const token = await marker.read();
    if (token !== this.seen) {
      // Removed somewhere (or never read since this process started): forget every answer, and any read in flight.
      this.revocations += 1;
      this.known.deleteWhere(() => true);
      this.seen = token;
    }
    this.checkedAt = started;
  }
}
