/**
 * Group revisions (docs/design.md, One change stream per group): the seq
 * writer claims the next revisions of a group here before it writes a change.
 *
 * The guarantee, enforced here: a revision of a group is claimed once, ever,
 * by inserting it into the revision collection, whose unique index (group, rev)
 * refuses a second claim from any process. A claim is made at the last
 * revision this process knows + 1; when another replica took it first, the
 * group's real last revision is read back (through that index) and the claim
 * moves past it. Claims are made by the serialized writer only, so in one
 * process the changes of a group are written in the order of their revisions.
 *
 * New messages take their revisions in two steps, so that a send costs one
 * database round trip, not two: `reserve` hands out the next revisions from
 * memory, and `confirm` inserts their claims in the same round trip as the
 * messages themselves. A reserved revision that another replica claimed first
 * is reported, and the writer moves its message to a freshly claimed one before
 * anyone hears of it. A process that died between the two writes leaves a
 * message whose revision has no claim: the last revision of a group is read as
 * the highest of its claims and of its messages, so it is never handed out again.
 */
import type { Types } from 'mongoose';
import type { MessageModel } from '../db/models/message';
import type { RevisionModel } from '../db/models/revision';
import { isDuplicateKey } from '../errors';

/** The indexes of the documents a bulk insert refused. */
const refusedIndexes = (err: unknown): number[] => {
  const { writeErrors } = err as { writeErrors?: unknown };
  const all: unknown[] = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return all.flatMap((e) => {
    const index = (e as { index?: unknown } | undefined)?.index;
    return typeof index === 'number' ? [index] : [];
  });
};

const claimedBeforeError = (err: unknown): number => refusedIndexes(err)[0] ?? 0;

/** A revision of a group, reserved or claimed. */
export interface RevClaim {
  group: Types.ObjectId;
  rev: number;
}

export class RevClaims {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly Revision: RevisionModel,
    private readonly Message: MessageModel,
    private readonly maxAttempts = 50,
    private readonly cacheSize = 10000,
  ) {}

  /** The last revision this process claimed or saw in `group`, if it remembers one. */
  known(group: string): number | undefined {
    return this.last.get(group);
  }

  /** The group's last claimed revision, from memory or through the (group, rev) index. */
  async lastOf(group: Types.ObjectId): Promise<number> {
    const known = this.last.get(String(group));
    if (known !== undefined) return known;
    return this.readLast(group);
  }

  forget(group: string): void {
    this.last.delete(group);
  }

  /** Claims the next `count` revisions of `group`, ascending (consecutive unless another writer interleaves). */
  async claim(group: Types.ObjectId, count: number): Promise<number[]> {
    const claimed: number[] = [];
    let last = await this.lastOf(group);
    for (let attempt = 1; claimed.length < count; attempt += 1) {
      if (attempt > this.maxAttempts) throw new Error('could not claim a revision: too many concurrent writers');
      const from = last + 1;
      const want = Array.from({ length: count - claimed.length }, (_, i) => from + i);
      let stored = want.length;
      try {
        await this.Revision.collection.insertMany(want.map((rev) => ({ group, rev })), { ordered: true });
      } catch (err) {
        if (!isDuplicateKey(err)) {
          this.last.delete(String(group));
          throw err;
        }
        stored = claimedBeforeError(err);
      }
      claimed.push(...want.slice(0, stored));
      last = stored > 0 ? want[stored - 1]! : last;
      if (claimed.length < count) last = Math.max(last, await this.readLast(group));
      this.remember(String(group), last);
    }
    return claimed;
  }

  /**
   * The next `count` revisions of `group` after the last this process knows,
   * taken from memory (unclaimed until `confirm`).
   */
  async reserve(group: Types.ObjectId, count: number): Promise<number[]> {
    const last = await this.lastOf(group);
    this.remember(String(group), last + count);
    return Array.from({ length: count }, (_, i) => last + 1 + i);
  }

  /**
   * Claims reserved revisions, of any groups, in one insert; answers those
   * another writer had claimed first (their groups' last revisions are read
   * again before the next reservation).
   */
  async confirm(claims: RevClaim[]): Promise<RevClaim[]> {
    if (claims.length === 0) return [];
    try {
      await this.Revision.collection.insertMany(claims.map(({ group, rev }) => ({ group, rev })), { ordered: false });
      return [];
    } catch (err) {
      claims.forEach(({ group }) => this.last.delete(String(group)));
      if (!isDuplicateKey(err)) throw err;
      return refusedIndexes(err).flatMap((i) => claims[i] ?? []);
    }
  }

  private async readLast(group: Types.ObjectId): Promise<number> {
    const [claimed, message] = await Promise.all([
      this.Revision.findOne({ group }, { rev: 1 }).sort({ rev: -1 }).lean(),
      this.Message.findOne({ group }, { rev: 1 }).sort({ rev: -1 }).lean(),
    ]);
    const last = Math.max(claimed?.rev ?? 0, message?.rev ?? 0);
    this.remember(String(group), last);
    return last;
  }

  private remember(group: string, last: number): void {
    this.last.delete(group);
    this.last.set(group, last);
    if (this.last.size > this.cacheSize) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
  }
}
