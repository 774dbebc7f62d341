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
 * A round of new messages claims for all its groups in one insert
 * (`claimMany`). Every revision is claimed before anything carries it, so a
 * group's last revision is the highest of its claims: a process that died
 * between the claim and its write leaves a claim without a change (a gap),
 * never the other way round.
 *
 * Claims have no holes: every attempt claims a run of revisions that starts
 * right after one already claimed (or at 1), so a group's claims are always
 * 1..last. That is why any claimed revision is a safe place to start: a claim
 * at or below the real last is refused, never taken, and a change can never
 * get a revision lower than one already published. Where this process
 * remembers nothing of a group it starts from the group document's `lastRev`
 * hint (read by `_id`, saved in the background, so it may lag but is always a
 * claimed revision) and reads the claims themselves only after a refusal.
 */
import type { Types } from 'mongoose';
import { RecentMap } from '@chat/shared';
import type { RevisionModel } from '../db/models/revision';
import { isDuplicateKey, refusedIndexes } from '../errors';

/** So many revisions wanted in a group. */
export interface RevRequest {
  group: Types.ObjectId;
  count: number;
}

/** Where a group's last revision is kept as a hint: read by `_id`, saved in the background. */
export interface RevHints {
  /** A revision the group has claimed (0 for none), maybe behind its last one. */
  read(group: Types.ObjectId): Promise<number>;
  /** The group has claimed up to `last`. */
  mark(group: Types.ObjectId, last: number): void;
}

export class RevClaims {
  private readonly last: RecentMap<string, number>;

  constructor(
    private readonly Revision: RevisionModel,
    private readonly hints: RevHints,
    private readonly maxAttempts = 50,
    cacheSize = 10000,
  ) {
    this.last = new RecentMap(cacheSize);
  }

  /** Where to start claiming in `group`: its last revision from memory, else its hint (a claimed revision that may lag). */
  async lastOf(group: Types.ObjectId): Promise<number> {
    const known = this.last.get(String(group));
    if (known !== undefined) return known;
    const hint = await this.hints.read(group);
    this.seed(String(group), hint);
    return this.last.get(String(group)) ?? hint;
  }

  /** Learns a claimed revision of `group` read elsewhere (its hint): a start, unless a later one is known. */
  seed(group: string, claimed: number): void {
    const known = this.last.get(group);
    if (known === undefined || claimed > known) this.remember(group, claimed);
  }

  forget(group: string): void {
    this.last.delete(group);
  }

  /** Claims the next `count` revisions of `group`, ascending (consecutive unless another writer interleaves). */
  async claim(group: Types.ObjectId, count: number): Promise<number[]> {
    return (await this.claimMany([{ group, count }]))[0] ?? [];
  }

  /**
   * Claims revisions in several groups at once: each attempt is ONE unordered
   * insert for every group (a round of the seq writer touching a hundred
   * groups costs one command, not a hundred). Answers, per request, its
   * revisions ascending. A revision another writer took is skipped; its
   * group's last revision is read again and the rest claimed after it.
   */
  async claimMany(requests: RevRequest[]): Promise<number[][]> {
    const claimed = requests.map((): number[] => []);
    const lasts = await Promise.all(requests.map(({ group }) => this.lastOf(group)));
    for (let attempt = 1; ; attempt += 1) {
      const open = requests.map((r, i) => i).filter((i) => claimed[i]!.length < requests[i]!.count);
      if (open.length === 0) return claimed;
      if (attempt > this.maxAttempts) throw new Error('could not claim a revision: too many concurrent writers');
      const wanted = open.flatMap((i) => Array.from(
        { length: requests[i]!.count - claimed[i]!.length },
        (_, k) => ({ i, rev: lasts[i]! + 1 + k }),
      ));
      let refused = new Set<number>();
      try {
        await this.Revision.collection.insertMany(
          wanted.map(({ i, rev }) => ({ group: requests[i]!.group, rev })),
          { ordered: false },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) {
          open.forEach((i) => this.last.delete(String(requests[i]!.group)));
          throw err;
        }
        refused = new Set(refusedIndexes(err));
      }
      const crowded = new Set<number>();
      wanted.forEach(({ i, rev }, k) => {
        lasts[i] = Math.max(lasts[i]!, rev);
        if (refused.has(k)) crowded.add(i);
        else claimed[i]!.push(rev);
      });
      // Where another writer took a revision, it may have taken more: learn where the group stands.
      await Promise.all([...crowded].map(async (i) => {
        lasts[i] = Math.max(lasts[i]!, await this.readLast(requests[i]!.group));
      }));
      open.forEach((i) => {
        this.remember(String(requests[i]!.group), lasts[i]!);
        this.hints.mark(requests[i]!.group, lasts[i]!);
      });
    }
  }

  private async readLast(group: Types.ObjectId): Promise<number> {
    const claimed = await this.Revision.findOne({ group }, { rev: 1 }).sort({ rev: -1 }).lean();
    const last = claimed?.rev ?? 0;
    this.remember(String(group), last);
    return last;
  }

  private remember(group: string, last: number): void {
    this.last.set(group, last);
  }
}
