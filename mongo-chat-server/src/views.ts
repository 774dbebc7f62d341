/** Stored documents → the JSON records the contract declares. Only listed fields leave the service. */
import type {
  Group, GroupForUser, StoredMessage, User,
} from '@chat/shared';
import type { GroupDoc } from './db/models/group';
import type { MessageDoc } from './db/models/message';
import type { PublicUserDoc } from './db/models/user';

export const userView = (doc: PublicUserDoc): User => ({
  up: doc._id,
  username: doc.username,
  name: doc.name,
  online: doc.online,
  lastSeen: doc.lastSeen ? doc.lastSeen.toISOString() : null,
  createdAt: doc.createdAt.toISOString(),
});

/** The timeline fields a message has, only those (docs/design.md, One change stream per group). */
const timelineView = (doc: MessageDoc): Partial<StoredMessage> => {
  const view: Partial<StoredMessage> = {};
  if (typeof doc.rev === 'number') view.rev = doc.rev;
  if (doc.editedAt) view.editedAt = doc.editedAt.toISOString();
  if (doc.deleted) {
    view.deleted = true;
    if (doc.deletedAt) view.deletedAt = doc.deletedAt.toISOString();
  }
  if (doc.replyTo) {
    const quote = doc.replyTo;
    view.replyTo = quote.deleted
      ? {
        id: String(quote.id), seq: quote.seq, up: quote.up, deleted: true,
      }
      : {
        id: String(quote.id), seq: quote.seq, up: quote.up, excerpt: quote.excerpt ?? '',
      };
  }
  if (doc.reactions && doc.reactions.length > 0) {
    view.reactions = doc.reactions.map((r) => ({ emoji: r.emoji, count: r.count, ups: [...r.ups] }));
  }
  if (doc.mentions && doc.mentions.length > 0) view.mentions = [...doc.mentions];
  return view;
};

export const messageView = (doc: MessageDoc): StoredMessage => ({
  id: String(doc._id),
  group: String(doc.group),
  seq: doc.seq,
  from: doc.from,
  message: doc.message,
  clientId: doc.clientId,
  timestamp: doc.timestamp.toISOString(),
  ...timelineView(doc),
});

export const groupView = (doc: GroupDoc, users: string[], lastSeq: number): Group => ({
  id: String(doc._id),
  name: doc.name,
  users,
  createdBy: doc.createdBy,
  lastSeq,
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
});

export const groupForUserView = (group: Group, lastReadSeq: number, unreadMentions: number): GroupForUser => ({
  ...group,
  lastReadSeq,
  unread: Math.max(0, group.lastSeq - lastReadSeq),
  unreadMentions,
});
