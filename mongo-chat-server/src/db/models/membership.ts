import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import { UP_PATTERN } from '@chat/shared';

/**
 * One member of one group. `_id` is `<groupId>:<up>`: the membership check a
 * chat server makes on every join is an `{_id}` lookup (indexed everywhere,
 * FerretDB included), and `_id` uniqueness makes a double join impossible.
 * The member's read position lives here too.
 */
export interface MembershipDoc {
  _id: string;
  group: Types.ObjectId;
  up: string;
  lastReadSeq: number;
  joinedAt: Date;
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
}, { versionKey: false, strict: 'throw' });

// "Groups of a user", in group order, and "members of a group".
membershipSchema.index({ up: 1, group: 1 });
membershipSchema.index({ group: 1 });

export type MembershipModel = Model<MembershipDoc>;
export const createMembershipModel = (db: Connection): MembershipModel => (
  db.model<MembershipDoc>('Membership', membershipSchema, 'memberships'));
