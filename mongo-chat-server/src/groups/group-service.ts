/**
 * Groups, their members and the members' read positions. Members are one
 * membership document each (`_id` `<group>:<up>`); a group's `users` are read
 * from there, its `lastSeq` from the group's hint or this process's seq writer,
 * whichever is further.
 */
import mongoose, { Types } from 'mongoose';
import { AppError, LIMITS } from '@chat/shared';
import type {
  Group, GroupForUser, GroupMembership, NewGroup, OffsetPage, OffsetQuery, ReadPosition,
} from '@chat/shared';
import type { Models } from '../db/models';
import type { GroupDoc } from '../db/models/group';
import { membershipId } from '../db/models/membership';
import type { MembershipDoc } from '../db/models/membership';
import { onlyDuplicateKeys } from '../errors';
import { MemberCache } from './member-cache';
import type { SeqWriter } from '../messages/seq-writer';
import type { UserService } from '../users/user-service';
import { groupForUserView, groupView } from '../views';

const unique = (ups: string[]): string[] => [...new Set(ups)];

/** ObjectIds in a filter are our own values; `$in` is marked trusted past sanitizeFilter. */
const anyOf = (values: unknown[]) => mongoose.trusted({ $in: values });

export function createGroupService(models: Models, writer: SeqWriter, users: UserService) {
  const { Group, Membership } = models;
  const knownMembers = new MemberCache();

  const lastSeqOf = (doc: GroupDoc): number => Math.max(doc.lastSeq, writer.knownLastSeq(String(doc._id)) ?? 0);

  const load = async (id: string): Promise<GroupDoc> => {
    const doc = await Group.findById(id).lean();
    if (!doc) throw new AppError('NOT_FOUND', 'no such group');
    return doc;
  };

  const membersOf = async (groups: Types.ObjectId[]): Promise<Map<string, string[]>> => {
    const byGroup = new Map<string, string[]>(groups.map((g) => [String(g), []]));
    if (groups.length === 0) return byGroup;
    const [only] = groups;
    const filter = groups.length === 1 && only ? { group: only } : { group: anyOf(groups) };
    const rows = await Membership.find(filter, { group: 1, up: 1 }).lean();
    rows.forEach((row) => byGroup.get(String(row.group))?.push(row.up));
    byGroup.forEach((ups) => ups.sort());
    return byGroup;
  };

  const views = async (docs: GroupDoc[]): Promise<Group[]> => {
    const members = await membersOf(docs.map((d) => d._id));
    return docs.map((d) => groupView(d, members.get(String(d._id)) ?? [], lastSeqOf(d)));
  };

  const view = async (doc: GroupDoc): Promise<Group> => {
    const [one] = await views([doc]);
    if (!one) throw new AppError('NOT_FOUND', 'no such group');
    return one;
  };

  const requireUsers = async (ups: string[]): Promise<void> => {
    const missing = await users.missing(ups);
    if (missing.length > 0) {
      const shown = missing.slice(0, 10).join(', ');
      throw new AppError('VALIDATION_FAILED', `users: unknown user(s) ${shown}${missing.length > 10 ? ', …' : ''}`);
    }
  };

  /** Inserts memberships; those that already exist are left as they are. */
  const addMemberships = async (group: Types.ObjectId, ups: string[]): Promise<void> => {
    if (ups.length === 0) return;
    const joinedAt = new Date();
    const docs: MembershipDoc[] = ups.map((up) => ({
      _id: membershipId(String(group), up), group, up, lastReadSeq: 0, joinedAt,
    }));
    const mark = knownMembers.mark();
    try {
      await Membership.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
    knownMembers.add(docs.map((d) => d._id), mark);
  };

  const touch = (id: Types.ObjectId) => Group.updateOne({ _id: id }, { $set: { updatedAt: new Date() } });

  return {
    get: async (id: string): Promise<Group> => view(await load(id)),

    async list({ page, perPage }: OffsetQuery): Promise<OffsetPage<Group>> {
      const [docs, total] = await Promise.all([
        Group.find({}).sort({ _id: 1 }).skip(page * perPage).limit(perPage)
          .lean(),
        Group.countDocuments({}),
      ]);
      return {
        items: await views(docs), page, perPage, total,
      };
    },

    async create(input: NewGroup): Promise<Group> {
      const members = unique(input.createdBy ? [...input.users, input.createdBy] : input.users);
      if (members.length === 0) throw new AppError('VALIDATION_FAILED', 'users: a group needs at least one member');
      if (members.length > LIMITS.groupMembers) {
        throw new AppError('VALIDATION_FAILED', `users: a group has at most ${LIMITS.groupMembers} members`);
      }
      await requireUsers(members);
      const now = new Date();
      const doc: GroupDoc = {
        _id: new Types.ObjectId(),
        name: input.name,
        createdBy: input.createdBy ?? null,
        lastSeq: 0,
        createdAt: now,
        updatedAt: now,
      };
      await Group.create(doc);
      try {
        await addMemberships(doc._id, members);
      } catch (err) {
        // No transactions on every backend: undo by hand so no memberless group stays behind.
        await Promise.allSettled([Group.deleteOne({ _id: doc._id }), Membership.deleteMany({ group: doc._id })]);
        throw err;
      }
      return groupView(doc, [...members].sort(), 0);
    },

    async rename(id: string, name: string): Promise<Group> {
      const doc = await Group.findOneAndUpdate(
        { _id: id },
        { $set: { name, updatedAt: new Date() } },
        { new: true, runValidators: true },
      ).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'no such group');
      return view(doc);
    },

    async remove(id: string): Promise<void> {
      const groupId = new Types.ObjectId(id);
      // The group goes first, so new sends see 404 while its messages are removed.
      const { deletedCount } = await Group.deleteOne({ _id: groupId });
      if (deletedCount === 0) throw new AppError('NOT_FOUND', 'no such group');
      writer.forget(id);
      knownMembers.revokeGroup(id);
      await Promise.all([
        Membership.deleteMany({ group: groupId }),
        models.Message.deleteMany({ group: groupId }),
        models.Mention.deleteMany({ group: groupId }),
        models.Reaction.deleteMany({ group: groupId }),
        models.Revision.deleteMany({ group: groupId }),
      ]);
    },

    async addMembers(id: string, ups: string[]): Promise<Group> {
      const doc = await load(id);
      const wanted = unique(ups);
      await requireUsers(wanted);
      const current = await membersOf([doc._id]);
      const existing = new Set(current.get(id) ?? []);
      const joining = wanted.filter((up) => !existing.has(up));
      if (existing.size + joining.length > LIMITS.groupMembers) {
        throw new AppError('VALIDATION_FAILED', `users: a group has at most ${LIMITS.groupMembers} members`);
      }
      await addMemberships(doc._id, joining);
      if (joining.length > 0) await touch(doc._id);
      return view(joining.length > 0 ? { ...doc, updatedAt: new Date() } : doc);
    },

    async removeMember(id: string, up: string): Promise<Group> {
      const doc = await load(id);
      knownMembers.revoke(membershipId(id, up));
      const { deletedCount } = await Membership.deleteOne({ _id: membershipId(id, up) });
      if (deletedCount === 0) throw new AppError('NOT_FOUND', 'not a member of this group');
      await touch(doc._id);
      return view({ ...doc, updatedAt: new Date() });
    },

    /** The membership check chat servers make on every join: one `{_id}` lookup. */
    async membership(id: string, up: string): Promise<GroupMembership> {
      const mark = knownMembers.mark();
      const doc = await Membership.findById(membershipId(id, up), { lastReadSeq: 1 }).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'not a member of this group');
      knownMembers.add([doc._id], mark);
      return { group: id, up, lastReadSeq: doc.lastReadSeq };
    },

    async groupsOfUser(up: string, { page, perPage }: OffsetQuery): Promise<OffsetPage<GroupForUser>> {
      await users.get(up);
      const [rows, total] = await Promise.all([
        Membership.find({ up }, { group: 1, lastReadSeq: 1 }).sort({ up: 1, group: 1 })
          .skip(page * perPage)
          .limit(perPage)
          .lean(),
        Membership.countDocuments({ up }),
      ]);
      const ids = rows.map((r) => r.group);
      const [docs, mentions] = rows.length > 0 ? await Promise.all([
        Group.find({ _id: anyOf(ids) }).lean(),
        // Only unread mentions are kept (reading removes them): bounded by what this member has not read.
        models.Mention.find({ up, group: anyOf(ids) }, { group: 1, seq: 1 }).lean(),
      ]) : [[], []];
      const groups = new Map((await views(docs)).map((g) => [g.id, g]));
      const items = rows.flatMap((row) => {
        const group = groups.get(String(row.group));
        const unreadMentions = mentions
          .filter((m) => String(m.group) === String(row.group) && m.seq > row.lastReadSeq).length;
        return group ? [groupForUserView(group, row.lastReadSeq, unreadMentions)] : [];
      });
      return {
        items, page, perPage, total,
      };
    },

    /**
     * The ids of each user's groups (the first `groupRoomsPerSocket` by id), for
     * up to a page of users in ONE query: what a chat server asks at handshakes,
     * so a crowd reconnecting costs a few queries, not one or more per user.
     */
    async groupIdsOfUsers(ups: string[]): Promise<{ up: string; groups: string[] }[]> {
      const byUp = new Map(ups.map((up): [string, string[]] => [up, []]));
      const mark = knownMembers.mark();
      const rows = await Membership.find({ up: anyOf([...byUp.keys()]) }, { _id: 1, up: 1, group: 1 }).lean();
      rows.forEach((row) => byUp.get(row.up)?.push(String(row.group)));
      // These users are about to send: their memberships need not be read again.
      knownMembers.add(rows.map((row) => row._id), mark);
      return [...byUp].map(([up, ids]) => ({ up, groups: ids.sort().slice(0, LIMITS.groupRoomsPerSocket) }));
    },

    /** Moves a member's read position forward (never back). */
    async markRead(id: string, up: string, seq: number): Promise<ReadPosition> {
      const [member, doc] = await Promise.all([
        Membership.findById(membershipId(id, up), { lastReadSeq: 1 }).lean(),
        Group.findById(id).lean(),
      ]);
      if (!member || !doc) throw new AppError('NOT_FOUND', 'not a member of this group');
      // The hint may lag a moment behind a send stored by another replica: the message itself decides then.
      if (seq > lastSeqOf(doc) && !await models.Message.exists({ group: doc._id, seq })) {
        throw new AppError('VALIDATION_FAILED', 'seq: beyond the newest message of the group');
      }
      if (seq <= member.lastReadSeq) return { group: id, up, lastReadSeq: member.lastReadSeq };
      await Membership.updateOne({ _id: membershipId(id, up) }, { $max: { lastReadSeq: seq } });
      // Mentions read are no longer unread: dropping them keeps the count bounded.
      await models.Mention.deleteMany({ up, group: doc._id, seq: mongoose.trusted({ $lte: seq }) });
      return { group: id, up, lastReadSeq: seq };
    },

    lastSeqOf,
    load,
    /** Resolves when `from` is a member of `group` (403) of a group that exists (404); answers are cached briefly. */
    async requireSender(group: string, from: string): Promise<void> {
      const id = membershipId(group, from);
      if (knownMembers.has(id)) return;
      const mark = knownMembers.mark();
      if (await Membership.exists({ _id: id })) {
        knownMembers.add([id], mark);
        return;
      }
      if (!await Group.exists({ _id: group })) throw new AppError('NOT_FOUND', 'no such group');
      throw new AppError('FORBIDDEN', 'the sender is not a member of this group');
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
