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
 * `staleMs` (5 s): every removal changes the `membership-removals` marker
 * (`announce`, after the membership is gone), and answers are trusted as
 * db/marker-watch.ts says. So the cache costs one `{_id}` read a second at
 * most, instead of one per sender, and an entry may live `ttlMs` (10 min):
 * that bounds only a removal whose marker could not be written.
 */
import { TtlSet } from '@chat/shared';
import { MarkerWatch } from '../db/marker-watch';
import type { Marker } from '../db/marker-watch';

/** Taken before a read; an answer read before a revocation is not kept. */
export type ReadMark = number;

export interface MemberCacheOptions {
  /** Removals made elsewhere; without it, only this process's removals are seen (one replica). */
  marker?: Marker;
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

  private readonly watch?: MarkerWatch;

  constructor(options: MemberCacheOptions = {}) {
    this.known = new TtlSet(options.ttlMs ?? 600000, options.maxEntries ?? 100000);
    if (options.marker) {
      this.watch = new MarkerWatch(options.marker, () => {
        this.revocations += 1;
        this.known.deleteWhere(() => true);
      }, options);
    }
  }

  /** Known as a member; ask `current()` before trusting it across replicas. */
  has(membership: string): boolean {
    return this.known.has(membership);
  }

  /** Resolves once removals announced up to `staleMs` ago are accounted for (MarkerWatch.current). */
  current(): Promise<void> {
    return this.watch?.current() ?? Promise.resolve();
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
    await this.watch?.announce();
  }
}
