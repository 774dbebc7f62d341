/**
 * The role rules the data service applies, as pure functions (docs/design.md,
 * Roles): which stored role counts, who succeeds an owner who leaves, and who
 * owns a group stored before roles existed.
 */
import type { Role } from '@chat/shared';

export interface MemberRow {
  up: string;
  /** Absent on memberships stored before roles. */
  role?: Role;
  joinedAt: Date;
}

/**
 * A member's role: the group's `owner` field decides who is the owner; a
 * membership still marked `owner` that the field does not name (a transfer cut
 * short between its two writes) counts as an admin, and no role as a member.
 */
export function effectiveRole(owner: string | null | undefined, up: string, stored: Role | undefined): Role {
  if (owner === up) return 'owner';
  if (stored === 'owner' || stored === 'admin') return 'admin';
  return 'member';
}

/** Longest-standing first: earliest `joinedAt`, then the smaller user number (members added together). */
const bySeniority = (a: MemberRow, b: MemberRow): number => (
  a.joinedAt.getTime() - b.joinedAt.getTime() || (a.up < b.up ? -1 : Number(a.up > b.up)));

/**
 * Who owns the group once `leaving` (the owner) has left: the longest-standing
 * admin, else the longest-standing member; null when nobody is left.
 */
export function successor(
  rows: readonly MemberRow[],
  owner: string | null | undefined,
  leaving: string,
): string | null {
  const remaining = rows.filter((r) => r.up !== leaving).sort(bySeniority);
  const admin = remaining.find((r) => effectiveRole(owner, r.up, r.role) === 'admin');
  return (admin ?? remaining[0])?.up ?? null;
}

/**
 * The owner the migration gives a group stored before roles: its creator if
 * still a member, else whoever would succeed (the longest-standing admin,
 * else member); null for a group without members.
 */
export function initialOwner(createdBy: string | null, rows: readonly MemberRow[]): string | null {
  if (createdBy !== null && rows.some((r) => r.up === createdBy)) return createdBy;
  return successor(rows, null, '');
}

/** Turns a group's member rows into the record's `users` (sorted), `owner` and `admins` (sorted). */
export function rolesView(owner: string | null | undefined, rows: readonly MemberRow[]): {
  users: string[]; owner: string | null; admins: string[];
} {
  const users = rows.map((r) => r.up).sort();
  const ownerNow = owner && users.includes(owner) ? owner : null;
  const admins = rows.filter((r) => effectiveRole(owner, r.up, r.role) === 'admin').map((r) => r.up).sort();
  return { users, owner: ownerNow, admins };
}

/** Runs tasks for one key one at a time, in arrival order (a group's role and membership changes in this process). */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }

  /** Keys with work queued or running (empty when idle). */
  get size(): number { return this.tails.size; }
}
