/** Stored documents → the JSON records the contract declares. Only listed fields leave the service. */
import { toAttachmentRef } from '@chat/contract';
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

export const messageView = (doc: MessageDoc): StoredMessage => ({
  id: String(doc._id),
  group: String(doc.group),
  seq: doc.seq,
  from: doc.from,
  message: doc.message,
  clientId: doc.clientId,
  timestamp: doc.timestamp.toISOString(),
  ...(doc.attachments?.length ? { attachments: doc.attachments.map(toAttachmentRef) } : {}),
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

export const groupForUserView = (group: Group, lastReadSeq: number): GroupForUser => ({
  ...group,
  lastReadSeq,
  unread: Math.max(0, group.lastSeq - lastReadSeq),
});
