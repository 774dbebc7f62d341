/**
 * Groups, their members, their roles and the members' read positions. Members
 * are one membership document each (`_id` `<group>:<up>`); a group's `users`
 * and `admins` are read from there, its `owner` from the group document, its
 * `lastSeq` from the group's hint or this process's seq writer, whichever is
 * further. Role rules are checked here, where the roles are stored, whenever a
 * call names the member it acts for (`by`); changes of members and roles of one
 * group run one at a time in this process (docs/design.md, Roles).
 */
import mongoose, { Types } from 'mongoose';
import { AppError, LIMITS, roleAllows } from '@chat/shared';
import type {
  AssignableRole, Group, GroupAction, GroupForUser, GroupMembership, NewGroup, OffsetPage, OffsetQuery, ReadPosition,
  Role,
} from '@chat/shared';
import type { Models } from '../db/models';
import type { GroupDoc } from '../db/models/group';
import { membershipId } from '../db/models/membership';
import type { MembershipDoc } from '../db/models/membership';
import { onlyDuplicateKeys } from '../errors';
import { markerIn } from '../db/marker-watch';
import { MemberCache } from './member-cache';
import {
  effectiveRole, KeyedSerializer, successor,
} from './roles';
import type { MemberRow } from './roles';
import type { RoleAudit } from './role-audit';
import type { SeqWriter } from '../messages/seq-writer';
import type { UserService } from '../users/user-service';
import { groupForUserView, groupView } from '../views';

const unique = (ups: string[]): string[] => [...new Set(ups)];

/** ObjectIds in a filter are our own values; `$in` is marked trusted past sanitizeFilter. */
const anyOf = (values: unknown[]) => mongoose.trusted({ $in: values });

const ACTION_TEXT: Record<GroupAction, string> = {
  rename: 'only the owner and admins can rename the group',
  addMembers: 'only the owner and admins can add members',
  removeMembers: 'only the owner and admins can remove members',
  setRoles: 'only the owner and admins can change roles',
  deleteGroup: 'only the owner can delete the group',
  transferOwnership: 'only the owner can transfer ownership',
  leave: 'only members can leave',
  deleteAnyMessage: 'only the author or a group owner or admin may delete a message',
};

/** Times a change of owner is retried when another replica changed the owner meanwhile. */
const OWNER_ATTEMPTS = 3;

export function createGroupService(models: Models, writer: SeqWriter, users: UserService, audit: RoleAudit = () => {}) {
  const { Group, Membership } = models;
  const knownMembers = new MemberCache({ marker: markerIn(models.Marker, 'membership-removals') });
  // Learn the removal marker now, so answers cached from the first requests on need not be dropped at its first read.
  knownMembers.current().catch(() => undefined);
  const serial = new KeyedSerializer();
  /** Told of each deleted group, after its documents are gone (files live apart from them). */
  const deletedListeners: Array<(id: string) => Promise<unknown>> = [];

  const lastSeqOf = (doc: GroupDoc): number => Math.max(doc.lastSeq, writer.knownLastSeq(String(doc._id)) ?? 0);

  const load = async (id: string): Promise<GroupDoc> => {
    const doc = await Group.findById(id).lean();
    if (!doc) throw new AppError('NOT_FOUND', 'no such group');
    return doc;
  };

  const membersOf = async (groups: Types.ObjectId[]): Promise<Map<string, MemberRow[]>> => {
    const byGroup = new Map<string, MemberRow[]>(groups.map((g) => [String(g), []]));
    if (groups.length === 0) return byGroup;
    const [only] = groups;
    const filter = groups.length === 1 && only ? { group: only } : { group: anyOf(groups) };
    const rows = await Membership.find(filter, {
      group: 1, up: 1, role: 1, joinedAt: 1,
    }).lean();
    rows.forEach((row) => byGroup.get(String(row.group))?.push({ up: row.up, role: row.role, joinedAt: row.joinedAt }));
    return byGroup;
  };
  const rowsOf = async (doc: GroupDoc): Promise<MemberRow[]> => (await membersOf([doc._id])).get(String(doc._id)) ?? [];

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

  /** Inserts memberships (role `member`, or `owner` for `owner`); those that already exist are left as they are. */
  const addMemberships = async (group: Types.ObjectId, ups: string[], owner: string | null = null): Promise<void> => {
    if (ups.length === 0) return;
    const joinedAt = new Date();
    const docs: MembershipDoc[] = ups.map((up) => ({
      _id: membershipId(String(group), up), group, up, lastReadSeq: 0, joinedAt, role: up === owner ? 'owner' : 'member',
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

  /** `up`'s role in the group, read by `_id`; undefined when not a member. */
  const roleOf = async (doc: GroupDoc, up: string): Promise<Role | undefined> => {
    const member = await Membership.findById(membershipId(String(doc._id), up), { role: 1 }).lean();
    return member ? effectiveRole(doc.owner, up, member.role) : undefined;
  };

  /** The role of `by` when it allows `action`; FORBIDDEN otherwise. No `by`: an operator call, allowed. */
  const requireAllowed = async (
    doc: GroupDoc,
    by: string | undefined,
    action: GroupAction,
  ): Promise<Role | undefined> => {
    if (by === undefined) return undefined;
    const role = await roleOf(doc, by);
    if (role === undefined) throw new AppError('FORBIDDEN', 'you are not a member of this group');
    if (!roleAllows(role, action)) throw new AppError('FORBIDDEN', ACTION_TEXT[action]);
    return role;
  };

  /**
   * Moves ownership from `doc.owner` to `to`: the group's `owner` field first,
   * written only if it still names the owner read (so two replicas cannot both
   * move it), then the two memberships' roles, which follow the field. False
   * when the owner changed meanwhile.
   */
  const moveOwner = async (
    doc: GroupDoc,
    to: string | null,
    by: string | undefined,
    reason: string,
  ): Promise<boolean> => {
    const from = doc.owner ?? null;
    const { matchedCount } = await Group.updateOne(
      { _id: doc._id, owner: from },
      { $set: { owner: to, updatedAt: new Date() } },
    );
    if (matchedCount === 0) return false;
    const id = String(doc._id);
    await Promise.all([
      to === null ? null : Membership.updateOne({ _id: membershipId(id, to) }, { $set: { role: 'owner' } }),
      from === null ? null : Membership.updateOne({ _id: membershipId(id, from), role: 'owner' }, { $set: { role: 'admin' } }),
    ]);
    audit({
      action: 'owner', group: id, by: by ?? null, from, to, reason,
    });
    return true;
  };

  const deleteAll = async (id: string): Promise<boolean> => {
    const groupId = new Types.ObjectId(id);
    // The group goes first, so new sends see 404 while its messages are removed.
    const { deletedCount } = await Group.deleteOne({ _id: groupId });
    if (deletedCount === 0) return false;
    writer.forget(id);
    knownMembers.revokeGroup(id);
    await Promise.all([
      Membership.deleteMany({ group: groupId }).then(() => knownMembers.announce()),
      models.Message.deleteMany({ group: groupId }),
      models.Mention.deleteMany({ group: groupId }),
      models.Reaction.deleteMany({ group: groupId }),
      models.Revision.deleteMany({ group: groupId }),
    ]);
    await Promise.all(deletedListeners.map((listener) => listener(id)));
    return true;
  };

  const removeMemberOnce = async (id: string, up: string, by: string | undefined, attempt: number): Promise<Group> => {
    const doc = await load(id);
    const rows = await rowsOf(doc);
    const target = rows.find((r) => r.up === up);
    const targetRole = target ? effectiveRole(doc.owner, up, target.role) : undefined;
    if (by !== undefined && by !== up) {
      await requireAllowed(doc, by, 'removeMembers');
      if (targetRole === 'owner') throw new AppError('FORBIDDEN', 'nobody can remove the owner; the owner may leave or transfer ownership');
    }
    if (!target) throw new AppError('NOT_FOUND', 'not a member of this group');
    const remaining = rows.filter((r) => r.up !== up);
    if (remaining.length === 0) {
      // The last member leaves: the group goes with them.
      await deleteAll(id);
      audit({
        action: 'deleted', group: id, by: by ?? null, reason: 'the last member left',
      });
      return groupView({ ...doc, owner: null, updatedAt: new Date() }, [], lastSeqOf(doc));
    }
    let owner = doc.owner ?? null;
    if (targetRole === 'owner' || owner === null || !rows.some((r) => r.up === owner)) {
      const next = successor(rows, owner, up);
      if (!await moveOwner(doc, next, by, 'the owner left')) {
        if (attempt >= OWNER_ATTEMPTS) throw new AppError('CONFLICT', 'the group changed meanwhile; try again');
        return removeMemberOnce(id, up, by, attempt + 1);
      }
      owner = next;
    }
    knownMembers.revoke(membershipId(id, up));
    const { deletedCount } = await Membership.deleteOne({ _id: membershipId(id, up) });
    if (deletedCount === 0) throw new AppError('NOT_FOUND', 'not a member of this group');
    await knownMembers.announce();
    await touch(doc._id);
    if (by !== undefined && by !== up) {
      audit({
        action: 'removed', group: id, by, up, role: targetRole ?? 'member',
      });
    }
    const left = remaining.map((r) => (r.up === owner ? { ...r, role: 'owner' as const } : r));
    return groupView({ ...doc, owner, updatedAt: new Date() }, left, lastSeqOf(doc));
  };

  const transferOnce = async (id: string, to: string, by: string | undefined, attempt: number): Promise<Group> => {
    const doc = await load(id);
    await requireAllowed(doc, by, 'transferOwnership');
    if (await roleOf(doc, to) === undefined) throw new AppError('NOT_FOUND', 'the new owner is not a member of this group');
    if (doc.owner === to) return view(doc);
    if (!await moveOwner(doc, to, by, 'transfer')) {
      if (attempt >= OWNER_ATTEMPTS) throw new AppError('CONFLICT', 'the group changed meanwhile; try again');
      return transferOnce(id, to, by, attempt + 1);
    }
    return view({ ...doc, owner: to, updatedAt: new Date() });
  };

  return {
    /** `listener` runs after every group deletion, before the deletion is answered. */
    onDeleted(listener: (id: string) => Promise<unknown>): void {
      deletedListeners.push(listener);
    },

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
      // The creator owns the group; without one (an operator's call), the first user named.
      const owner = input.createdBy ?? members[0] ?? null;
      const doc: GroupDoc = {
        _id: new Types.ObjectId(),
        name: input.name,
        createdBy: input.createdBy ?? null,
        owner,
        lastSeq: 0,
        createdAt: now,
        updatedAt: now,
      };
      await Group.create(doc);
      try {
        await addMemberships(doc._id, members, owner);
      } catch (err) {
        // No transactions on every backend: undo by hand so no memberless group stays behind.
        await Promise.allSettled([Group.deleteOne({ _id: doc._id }), Membership.deleteMany({ group: doc._id })]);
        throw err;
      }
      return groupView(doc, members.map((up) => ({ up, role: up === owner ? 'owner' : 'member', joinedAt: now })), 0);
    },

    async rename(id: string, name: string, by?: string): Promise<Group> {
      if (by !== undefined) await requireAllowed(await load(id), by, 'rename');
      const doc = await Group.findOneAndUpdate(
        { _id: id },
        { $set: { name, updatedAt: new Date() } },
        { new: true, runValidators: true },
      ).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'no such group');
      return view(doc);
    },

    remove: (id: string, by?: string): Promise<void> => serial.run(id, async () => {
      await requireAllowed(await load(id), by, 'deleteGroup');
      if (!await deleteAll(id)) throw new AppError('NOT_FOUND', 'no such group');
      if (by !== undefined) audit({ action: 'deleted', group: id, by });
    }),

    addMembers: (id: string, ups: string[], by?: string): Promise<Group> => serial.run(id, async () => {
      const doc = await load(id);
      await requireAllowed(doc, by, 'addMembers');
      const wanted = unique(ups);
      await requireUsers(wanted);
      const existing = new Set((await rowsOf(doc)).map((r) => r.up));
      const joining = wanted.filter((up) => !existing.has(up));
      if (existing.size + joining.length > LIMITS.groupMembers) {
        throw new AppError('VALIDATION_FAILED', `users: a group has at most ${LIMITS.groupMembers} members`);
      }
      await addMemberships(doc._id, joining);
      if (joining.length > 0) await touch(doc._id);
      return view(joining.length > 0 ? { ...doc, updatedAt: new Date() } : doc);
    }),

    /**
     * Removes `up`, or lets them leave (`by` is `up`). When the owner goes, the
     * longest-standing admin (else member) becomes the owner; when the last
     * member goes, the group is deleted and the answer lists no members.
     */
    removeMember: (id: string, up: string, by?: string): Promise<Group> => (
      serial.run(id, () => removeMemberOnce(id, up, by, 1))),

    /** Makes a member an admin or an admin a member; the owner's role changes only by a transfer (CONFLICT). */
    setRole: (id: string, up: string, role: AssignableRole, by?: string): Promise<Group> => serial.run(id, async () => {
      const doc = await load(id);
      await requireAllowed(doc, by, 'setRoles');
      const current = await roleOf(doc, up);
      if (current === undefined) throw new AppError('NOT_FOUND', 'not a member of this group');
      if (current === 'owner') {
        throw new AppError('CONFLICT', "the owner's role changes only through a transfer of ownership");
      }
      if (current !== role) {
        await Membership.updateOne({ _id: membershipId(id, up) }, { $set: { role } });
        await touch(doc._id);
        audit({
          action: 'role', group: id, by: by ?? null, up, from: current, to: role,
        });
      }
      return view(current !== role ? { ...doc, updatedAt: new Date() } : doc);
    }),

    /** Makes `to` (a member) the owner; the former owner becomes an admin. */
    transferOwnership: (id: string, to: string, by?: string): Promise<Group> => (
      serial.run(id, () => transferOnce(id, to, by, 1))),

    /** The membership check chat servers make on every join: one `{_id}` lookup. */
    async membership(id: string, up: string): Promise<GroupMembership> {
      const mark = knownMembers.mark();
      const doc = await Membership.findById(membershipId(id, up), { lastReadSeq: 1 }).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'not a member of this group');
      knownMembers.add([doc._id], mark);
      return { group: id, up, lastReadSeq: writer.senderReads.positionOf(doc._id, doc.lastReadSeq) };
    },

    async groupsOfUser(up: string, { page, perPage }: OffsetQuery): Promise<OffsetPage<GroupForUser>> {
      await users.get(up);
      const [rows, total] = await Promise.all([
        Membership.find({ up }, { _id: 1, group: 1, lastReadSeq: 1 }).sort({ up: 1, group: 1 })
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
        // Read positions include the caller's own latest sends (docs/design.md, Unread on send).
        const lastReadSeq = writer.senderReads.positionOf(row._id, row.lastReadSeq);
        const unreadMentions = mentions
          .filter((m) => String(m.group) === String(row.group) && m.seq > lastReadSeq).length;
        return group ? [groupForUserView(group, lastReadSeq, unreadMentions)] : [];
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
      const lastReadSeq = writer.senderReads.positionOf(member._id, member.lastReadSeq);
      // The hint may lag a moment behind a send stored by another replica: the message itself decides then.
      if (seq > lastSeqOf(doc) && !await models.Message.exists({ group: doc._id, seq })) {
        throw new AppError('VALIDATION_FAILED', 'seq: beyond the newest message of the group');
      }
      if (seq <= lastReadSeq) return { group: id, up, lastReadSeq };
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
      // A cached answer counts once removals made through other replicas are accounted for (member-cache.ts).
      if (knownMembers.has(id) && await knownMembers.current().then(() => knownMembers.has(id), () => false)) return;
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
