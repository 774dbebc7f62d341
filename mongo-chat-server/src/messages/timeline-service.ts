/**
 * The group timeline beyond new messages (docs/design.md, One change stream
 * per group): edits, deletes (tombstones), reactions, reply quotes, mentions,
 * and what a group changed after a revision.
 *
 * Every change runs inside the group's serialized writer (`writer.change`),
 * claims the group's next revision there, and is written with it: in one
 * process the changes of a group are stored one at a time, in revision order.
 * A change that would change nothing (a retried edit, a second delete, a
 * reaction already there) claims no revision and answers the message as it
 * is, so a lost delivery can be made again.
 */
import mongoose, { Types } from 'mongoose';
import {
  AppError, TIMELINE_LIMITS, excerptOf, mentionedNames, roleAllows, searchTextOf, summarizeReactions,
} from '@chat/shared';
import type {
  ChangesPage, ChangeResult, DeleteRequest, EditRequest, OwnReactionsPage, ReactRequest, Role, StoredMessage,
} from '@chat/shared';
import type { Models } from '../db/models';
import { mentionId } from '../db/models/mention';
import { membershipId } from '../db/models/membership';
import type { MessageDoc, ReplyQuoteDoc } from '../db/models/message';
import { reactionId } from '../db/models/reaction';
import { isDuplicateKey } from '../errors';
import type { GroupService } from '../groups/group-service';
import { effectiveRole } from '../groups/roles';
import { messageView } from '../views';
import type { SeqWriter } from './seq-writer';

/** Edit clientIds remembered per message: a retry within the last this many edits does not apply again. */
const EDIT_IDS_KEPT = 20;

export interface TimelineOptions {
  /** Seconds after sending during which the author may edit; undefined: no limit. */
  editWindowS?: number;
  /** Deletes the files of deleted messages (docs/attachments.md); called once the tombstone is stored. */
  deleteFilesOf?: (messageIds: string[]) => Promise<unknown>;
}

const trusted = (value: Record<string, unknown>) => mongoose.trusted(value);

export function createTimelineService(
  models: Models,
  writer: SeqWriter,
  groups: GroupService,
  options: TimelineOptions = {},
) {
  const {
    Message, Membership, Mention, Reaction, User,
  } = models;

  const unchanged = (doc: MessageDoc): ChangeResult => {
    const view = messageView(doc);
    return { message: view, changes: [view] };
  };

  /** The message `id` of `group`; 404 when there is none (or it is in another group). */
  const load = async (group: string, id: string): Promise<MessageDoc> => {
    const doc = await Message.findById(id).lean();
    if (!doc || String(doc.group) !== group) throw new AppError('NOT_FOUND', 'no such message in this group');
    return doc;
  };

  /** The members `text` mentions (`@<up>` or `@username`); non-members and the author are ignored. */
  const resolveMentions = async (group: string, text: string, author: string): Promise<string[]> => {
    const names = mentionedNames(text).filter((name) => name !== author);
    if (names.length === 0) return [];
    const byName = await User.find({ username: trusted({ $in: names }) }, { _id: 1, username: 1 }).lean();
    const candidates = [...new Set([...names, ...byName.map((u) => u._id)])].filter((up) => up !== author);
    const members = await Membership.find(
      { _id: trusted({ $in: candidates.map((up) => membershipId(group, up)) }) },
      { up: 1 },
    ).lean();
    const memberUps = new Set(members.map((m) => m.up));
    // In the order the text names them.
    const ordered = names.flatMap((name) => {
      if (memberUps.has(name)) return [name];
      const user = byName.find((u) => u.username === name);
      return user && memberUps.has(user._id) ? [user._id] : [];
    });
    return [...new Set(ordered)];
  };

  const addMentions = async (group: Types.ObjectId, seq: number, ups: readonly string[]): Promise<void> => {
    if (ups.length === 0) return;
    try {
      await Mention.insertMany(
        ups.map((up) => ({
          _id: mentionId(String(group), up, seq), group, up, seq,
        })),
        { ordered: false },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  };

  const dropMentions = async (group: Types.ObjectId, seq: number, ups: readonly string[]): Promise<void> => {
    if (ups.length === 0) return;
    await Mention.deleteMany({ _id: trusted({ $in: ups.map((up) => mentionId(String(group), up, seq)) }) });
  };

  return {
    resolveMentions,
    addMentions,

    /**
     * The emoji `up` reacted with on each of `messages` of `group`, in the order they reacted (docs/design.md,
     * Own reactions); messages without one, or of another group, are left out. Read through the (message, at) index.
     */
    async reactionsOf(group: string, up: string, messages: string[]): Promise<OwnReactionsPage> {
      const docs = await Reaction.find({
        message: trusted({ $in: messages.map((id) => new Types.ObjectId(id)) }), group: new Types.ObjectId(group), up,
      }, { message: 1, emoji: 1, at: 1 }).sort({ message: 1, at: 1 }).lean();
      const byMessage = new Map<string, string[]>();
      docs.forEach((doc) => {
        const id = String(doc.message);
        byMessage.set(id, [...(byMessage.get(id) ?? []), doc.emoji]);
      });
      return { items: [...byMessage].map(([id, emoji]) => ({ id, emoji })) };
    },

    /** The quote a reply carries: the message answered must be of the same group (404). */
    async replyQuote(group: string, id: string): Promise<ReplyQuoteDoc> {
      const doc = await load(group, id);
      return doc.deleted
        ? {
          id: doc._id, seq: doc.seq, up: doc.from, deleted: true,
        }
        : {
          id: doc._id, seq: doc.seq, up: doc.from, excerpt: excerptOf(doc.message),
        };
    },

    async edit(id: string, {
      group, by, message, clientId,
    }: EditRequest): Promise<ChangeResult> {
      await groups.requireSender(group, by);
      const mentions = await resolveMentions(group, message, by);
      return writer.change(async () => {
        const doc = await load(group, id);
        if (doc.deleted) throw new AppError('NOT_FOUND', 'this message was deleted');
        if (doc.from !== by) throw new AppError('FORBIDDEN', 'only the author may edit a message');
        if (clientId !== undefined && doc.editIds?.includes(clientId)) return unchanged(doc);
        const { editWindowS } = options;
        if (editWindowS !== undefined && Date.now() - doc.timestamp.getTime() > editWindowS * 1000) {
          throw new AppError('FORBIDDEN', `a message can be edited for ${editWindowS} s after it was sent`);
        }
        if (doc.message === message) return unchanged(doc);
        const [rev] = await writer.revs.claim(doc.group, 1);
        const editedAt = new Date();
        const editIds = clientId !== undefined ? [...(doc.editIds ?? []), clientId].slice(-EDIT_IDS_KEPT) : doc.editIds;
        // Search reads the text as it is now (docs/search.md).
        const set: Partial<MessageDoc> = {
          message, editedAt, rev, searchText: searchTextOf(message),
        };
        if (editIds) set.editIds = editIds;
        if (mentions.length > 0) set.mentions = mentions;
        await Message.collection.updateOne(
          { _id: doc._id },
          mentions.length > 0 ? { $set: set } : { $set: set, $unset: { mentions: '' } },
        );
        const before = doc.mentions ?? [];
        await Promise.all([
          dropMentions(doc.group, doc.seq, before.filter((up) => !mentions.includes(up))),
          addMentions(doc.group, doc.seq, mentions.filter((up) => !before.includes(up))),
        ]);
        const updated: MessageDoc = { ...doc, ...set };
        if (mentions.length === 0) delete updated.mentions;
        const view = messageView(updated);
        return { message: view, changes: [view] };
      });
    },

    async remove(id: string, { group, by }: DeleteRequest): Promise<ChangeResult> {
      await groups.requireSender(group, by);
      return writer.change(async () => {
        const doc = await load(group, id);
        if (doc.deleted) return unchanged(doc);
        if (doc.from !== by) {
          const member = await Membership.findById(membershipId(group, by)).lean();
          // Who may delete others' messages is the contract's rule (owners and admins); a stored `owner` reads as admin.
          const stored = (member as { role?: Role } | null)?.role;
          if (!member || !roleAllows(effectiveRole(undefined, by, stored), 'deleteAnyMessage')) {
            throw new AppError('FORBIDDEN', 'only the author or a group owner or admin may delete a message');
          }
        }
        const replies = await Message.find({ group: doc.group, 'replyTo.id': doc._id }).sort({ seq: 1 }).lean();
        const revs = await writer.revs.claim(doc.group, 1 + replies.length);
        const deletedAt = new Date();
        // A tombstone: the seq stays, the text and everything derived from it goes.
        await Message.collection.updateOne({ _id: doc._id }, {
          $set: {
            message: '', deleted: true, deletedAt, rev: revs[0],
          },
          $unset: {
            searchText: '', mentions: '', reactions: '', replyTo: '', editIds: '', editedAt: '', attachments: '',
          },
        });
        await Promise.all([
          Reaction.deleteMany({ message: doc._id }),
          Mention.deleteMany({ group: doc.group, seq: doc.seq }),
          doc.attachments?.length ? options.deleteFilesOf?.([String(doc._id)]) : undefined,
        ]);
        const tombstone: MessageDoc = {
          _id: doc._id,
          group: doc.group,
          seq: doc.seq,
          from: doc.from,
          message: '',
          clientId: doc.clientId,
          timestamp: doc.timestamp,
          rev: revs[0],
          deleted: true,
          deletedAt,
        };
        const changes: StoredMessage[] = [messageView(tombstone)];
        const quote: ReplyQuoteDoc = {
          id: doc._id, seq: doc.seq, up: doc.from, deleted: true,
        };
        for (const [i, reply] of replies.entries()) {
          const rev = revs[i + 1];
          await Message.collection.updateOne({ _id: reply._id }, { $set: { replyTo: quote, rev } });
          changes.push(messageView({ ...reply, replyTo: quote, rev }));
        }
        return { message: changes[0]!, changes };
      });
    },

    async react(id: string, {
      group, by, emoji, add,
    }: ReactRequest): Promise<ChangeResult> {
      await groups.requireSender(group, by);
      return writer.change(async () => {
        const doc = await load(group, id);
        if (doc.deleted) throw new AppError('NOT_FOUND', 'this message was deleted');
        const key = reactionId(id, by, emoji);
        if (add) {
          if (await Reaction.exists({ _id: key })) return unchanged(doc);
          const known = (doc.reactions ?? []).some((r) => r.emoji === emoji);
          if (!known && (doc.reactions?.length ?? 0) >= TIMELINE_LIMITS.reactionEmoji) {
            throw new AppError('CONFLICT', `a message holds at most ${TIMELINE_LIMITS.reactionEmoji} different emoji`);
          }
          try {
            await Reaction.create({
              _id: key, message: doc._id, group: doc.group, up: by, emoji, at: new Date(),
            });
          } catch (err) {
            if (isDuplicateKey(err)) return unchanged(doc);
            throw err;
          }
        } else {
          const { deletedCount } = await Reaction.deleteOne({ _id: key });
          if (deletedCount === 0) return unchanged(doc);
        }
        const all = await Reaction.find({ message: doc._id }, { up: 1, emoji: 1 }).sort({ at: 1, _id: 1 }).lean();
        const reactions = summarizeReactions(all);
        const [rev] = await writer.revs.claim(doc.group, 1);
        await Message.collection.updateOne(
          { _id: doc._id },
          reactions.length > 0 ? { $set: { reactions, rev } } : { $set: { rev }, $unset: { reactions: '' } },
        );
        const updated: MessageDoc = { ...doc, rev, reactions };
        const view = messageView(updated);
        return { message: view, changes: [view] };
      });
    },

    /**
     * The current state of every message of `group` changed after revision
     * `after`, in revision order, each once: one indexed range on (group, rev).
     */
    async changes(group: string, after: number, limit: number): Promise<ChangesPage<StoredMessage>> {
      await groups.load(group);
      const docs = await Message.find({ group: new Types.ObjectId(group), rev: trusted({ $gt: after }) })
        .sort({ rev: 1 })
        .limit(limit + 1)
        .lean();
      const hasMore = docs.length > limit;
      const items = docs.slice(0, limit).map(messageView);
      return { items, rev: items[items.length - 1]?.rev ?? after, hasMore };
    },
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
