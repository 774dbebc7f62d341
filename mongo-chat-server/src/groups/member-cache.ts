/**
 * Who is known to be a member, for a short while: every stored message checks
 * its sender, and at a thousand messages a second those `{_id}` lookups cost
 * the database more than storing the messages. Only positive answers are
 * kept; removals and deletions through this process revoke at once. A removal
 * made through another replica is seen here within `ttlMs`; chat servers check
 * membership themselves and revoke it on every server at once, so this bounds
 * only what the internal API lets through meanwhile.
 */
export class MemberCache {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs = 10000, private readonly maxEntries = 100000) {}

  has(membership: string): boolean {
    const until = this.until.get(membership);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(membership);
    return false;
  }

  add(membership: string): void {
    if (this.until.size >= this.maxEntries) {
      const oldest = this.until.keys().next();
      if (!oldest.done) this.until.delete(oldest.value);
    }
    this.until.delete(membership);
    this.until.set(membership, Date.now() + this.ttlMs);
  }

  revoke(membership: string): void {
    this.until.delete(membership);
  }

  /** Every member of a deleted group. */
  revokeGroup(group: string): void {
    const prefix = `${group}:`;
    [...this.until.keys()].forEach((key) => { if (key.startsWith(prefix)) this.until.delete(key); });
  }
}
