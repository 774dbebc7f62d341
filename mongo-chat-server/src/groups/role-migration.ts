/**
 * Gives groups and memberships stored before roles existed their roles, on
 * every start of the data service (docs/design.md, Roles): each group without
 * an `owner` field gets its creator as owner if still a member, else its
 * longest-standing member (null with no members); memberships without a role
 * become `member`, the owner's `owner`. Idempotent (only documents without the
 * field are touched, and each pass gives them one), in bounded batches.
 */
import mongoose from 'mongoose';
import type { Models } from '../db/models';
import { membershipId } from '../db/models/membership';
import { initialOwner } from './roles';

export interface RoleMigrationResult {
  groups: number;
  memberships: number;
}

/** `$exists` and `$in` are our own operators; marked trusted past sanitizeFilter. */
const missing = () => mongoose.trusted({ $exists: false });
const anyOf = (values: unknown[]) => mongoose.trusted({ $in: values });

export async function migrateRoles(models: Models, batchSize = 200): Promise<RoleMigrationResult> {
  const { Group, Membership } = models;
  const result: RoleMigrationResult = { groups: 0, memberships: 0 };

  for (;;) {
    const groups = await Group.find({ owner: missing() }, { _id: 1, createdBy: 1 }).limit(batchSize).lean();
    const before = result.groups;
    for (const group of groups) {
      const rows = await Membership.find({ group: group._id }, { up: 1, role: 1, joinedAt: 1 }).lean();
      const owner = initialOwner(group.createdBy, rows);
      const { modifiedCount } = await Membership.updateMany({ group: group._id, role: missing() }, { $set: { role: 'member' } });
      result.memberships += modifiedCount;
      if (owner !== null) {
        await Membership.updateOne({ _id: membershipId(String(group._id), owner) }, { $set: { role: 'owner' } });
      }
      // Last: a pass cut short here finds the group again next time.
      const set = await Group.updateOne({ _id: group._id, owner: missing() }, { $set: { owner } });
      result.groups += set.modifiedCount;
    }
    // A batch that changed nothing (another replica migrating the same groups) would come back unchanged.
    if (groups.length < batchSize || result.groups === before) break;
  }

  // Memberships of groups that already have an owner (added by a replica that predates roles).
  for (;;) {
    const rows = await Membership.find({ role: missing() }, { _id: 1 }).limit(batchSize).lean();
    if (rows.length === 0) break;
    const { modifiedCount } = await Membership.updateMany(
      { _id: anyOf(rows.map((r) => r._id)), role: missing() },
      { $set: { role: 'member' } },
    );
    result.memberships += modifiedCount;
    if (rows.length < batchSize || modifiedCount === 0) break;
  }
  return result;
}
