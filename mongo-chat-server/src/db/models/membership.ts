import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import { ROLES, UP_PATTERN } from '@chat/shared';
import type { Role } from '@chat/shared';

/**
 * One member of one group. `_id` is `<groupId>:<up>`: the membership check a
 * chat server makes on every join is an `{_id}` lookup (indexed everywhere,
 * FerretDB included), and `_id` uniqueness makes a double join impossible.
 * The member's read position lives here too, and their role: `admin` or
 * `member`, or `owner` kept in step with the group's `owner` field, which wins
 * when the two disagree (docs/design.md, Roles). `joinedAt` orders succession.
 */
export interface MembershipDoc {
  _id: string;
  group: Types.ObjectId;
  up: string;
  lastReadSeq: number;
  joinedAt: Date;
  /** Absent only on documents stored before roles, until the migration gives them one. */
  role?: Role;
}

export const membershipId = (group: string, up: string): string => `${group}:${up}`;

const membershipSchema = new Schema<MembershipDoc>({
  _id: { type: String, required: true },
  group: { type: Schema.Types.ObjectId, required: true },
  up: { type: String, required: true, match: UP_PATTERN },
  lastReadSeq: {
    type: Number, required: true, default: 0, min: 0,
  },
  joinedAt: { type: Date, required: true, default: () => new Date() },
  role: { type: String, enum: ROLES, default: 'member' },
}, { versionKey: false, strict: 'throw' });

// "Groups of a user", in group order, and "members of a group".
membershipSchema.index({ up: 1, group: 1 });
membershipSchema.index({ group: 1 });

export type MembershipModel = Model<MembershipDoc>;
export const createMembershipModel = (db: Connection): MembershipModel => (
  db.model<MembershipDoc>('Membership', membershipSchema, 'memberships'));
