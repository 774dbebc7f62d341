/**
 * Who is known to be a member, for a while: every stored message checks its
 * sender, and on a database that costs milliseconds per `{_id}` lookup those
 * checks would cost more than storing the messages. Only positive answers are
 * kept, learned wherever memberships are read or made anyway (a handshake's
 * group lookup, a join's membership check, adding members), so a sender is
 * usually known before their first message. Removals and deletions through
 * this process revoke at once; one made through another replica is seen here
 * within `ttlMs`. Chat servers check membership themselves and revoke it on
 * every server at once, so the TTL bounds only what the internal API lets
 * through meanwhile.
 */
import { TtlSet } from '@chat/shared';

const TTL_MS = 60000;

/** Taken before a read; an answer read before a revocation is not kept. */
export type ReadMark = number;

export class MemberCache {
  private readonly known: TtlSet<string>;

  private revocations = 0;

  constructor(ttlMs = TTL_MS, maxEntries = 100000) {
    this.known = new TtlSet(ttlMs, maxEntries);
  }

  has(membership: string): boolean {
    return this.known.has(membership);
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
}
