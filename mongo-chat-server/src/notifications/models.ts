/**
 * The notification collections (docs/notifications.md, Storage). Every
 * guarantee rests on unique `_id`s, never on an update being atomic:
 * - `notifyItems`: one per user and message (`<up>:<messageId>`), inserted
 *   once; the in-app list and the outbox of the webhook (`push`).
 * - `notifyClaims`: one per item (`_id` = the item's id) naming the digest
 *   that holds it; insert-only, so no item can be in two digests.
 * - `notifyDigests`: one per digest, id derived from its items; the sender
 *   records its attempts and, after a 2xx, `sentAt`.
 * - `notifySettings` (time zone, quiet hours), `notifyLevels` (one per group
 *   and user), `notifyReads` (read position of the list), `notifyStates`
 *   (when the user's last digest went out), `notifyMarks` (how far each
 *   group's messages were turned into items), `notifyLeases` (which process
 *   runs the digest worker): each written by one party.
 */
import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { NOTIFY_LEVELS, NOTIFY_REASONS } from '@chat/shared';
import type { NotifyLevel } from '@chat/shared';

export type NotifyReason = typeof NOTIFY_REASONS[number];

export interface NotifyItemDoc {
  _id: string;
  up: string;
  group: string;
  groupName: string;
  messageId: string;
  seq: number;
  from: string;
  excerpt: string;
  reason: NotifyReason;
  timestamp: Date;
  /** For the webhook too (the user was offline), not only the in-app list. */
  push: boolean;
  /** Set once the digest holding it was answered 2xx (only the digest worker writes it). */
  sent: boolean;
}

export interface NotifyClaimDoc {
  _id: string;
  digest: string;
  up: string;
}

export interface NotifyDigestDoc {
  _id: string;
  up: string;
  items: string[];
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export interface NotifySettingsDoc {
  _id: string;
  timeZone: string;
  quietStart: string | null;
  quietEnd: string | null;
}

export interface NotifyLevelDoc {
  _id: string;
  group: string;
  up: string;
  level: NotifyLevel;
}

export interface NotifyReadDoc {
  _id: string;
  /** The newest message id read (ObjectIds sort by time). */
  upTo: string;
}

export interface NotifyStateDoc {
  _id: string;
  lastDigestAt: Date;
}

export interface NotifyMarkDoc {
  _id: string;
  seq: number;
}

const strict = { versionKey: false, strict: 'throw' } as const;

const itemSchema = new Schema<NotifyItemDoc>({
  _id: { type: String, required: true },
  up: { type: String, required: true },
  group: { type: String, required: true },
  groupName: { type: String, required: true },
  messageId: { type: String, required: true },
  seq: { type: Number, required: true },
  from: { type: String, required: true },
  excerpt: { type: String, required: true },
  reason: { type: String, required: true, enum: NOTIFY_REASONS },
  timestamp: { type: Date, required: true },
  push: { type: Boolean, required: true },
  sent: { type: Boolean, required: true, default: false },
}, strict);
// The in-app list (a user's newest) and the digest worker's outbox scan.
itemSchema.index({ up: 1, messageId: -1 });
itemSchema.index({ push: 1, sent: 1 });

const claimSchema = new Schema<NotifyClaimDoc>({
  _id: { type: String, required: true },
  digest: { type: String, required: true },
  up: { type: String, required: true },
}, strict);
claimSchema.index({ digest: 1 });

const digestSchema = new Schema<NotifyDigestDoc>({
  _id: { type: String, required: true },
  up: { type: String, required: true },
  items: { type: [String], required: true },
  createdAt: { type: Date, required: true },
  attempts: { type: Number, required: true, default: 0 },
  nextAttemptAt: { type: Date, required: true },
  sentAt: { type: Date, default: null },
  lastError: { type: String, default: null },
}, strict);
digestSchema.index({ sentAt: 1 });

const settingsSchema = new Schema<NotifySettingsDoc>({
  _id: { type: String, required: true },
  timeZone: { type: String, required: true },
  quietStart: { type: String, default: null },
  quietEnd: { type: String, default: null },
}, strict);

const levelSchema = new Schema<NotifyLevelDoc>({
  _id: { type: String, required: true },
  group: { type: String, required: true },
  up: { type: String, required: true },
  level: { type: String, required: true, enum: NOTIFY_LEVELS },
}, strict);
levelSchema.index({ up: 1 });

const readSchema = new Schema<NotifyReadDoc>({
  _id: { type: String, required: true },
  upTo: { type: String, required: true },
}, strict);

const stateSchema = new Schema<NotifyStateDoc>({
  _id: { type: String, required: true },
  lastDigestAt: { type: Date, required: true },
}, strict);

const markSchema = new Schema<NotifyMarkDoc>({
  _id: { type: String, required: true },
  seq: { type: Number, required: true },
}, strict);

export interface NotifyLeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

const leaseSchema = new Schema<NotifyLeaseDoc>({
  _id: { type: String, required: true },
  holder: { type: String, required: true },
  until: { type: Date, required: true },
}, strict);

export interface NotifyModels {
  Item: Model<NotifyItemDoc>;
  Claim: Model<NotifyClaimDoc>;
  Digest: Model<NotifyDigestDoc>;
  Settings: Model<NotifySettingsDoc>;
  Level: Model<NotifyLevelDoc>;
  Read: Model<NotifyReadDoc>;
  State: Model<NotifyStateDoc>;
  Mark: Model<NotifyMarkDoc>;
  Lease: Model<NotifyLeaseDoc>;
}

export function createNotifyModels(db: Connection): NotifyModels {
  return {
    Item: db.model<NotifyItemDoc>('NotifyItem', itemSchema, 'notifyItems'),
    Claim: db.model<NotifyClaimDoc>('NotifyClaim', claimSchema, 'notifyClaims'),
    Digest: db.model<NotifyDigestDoc>('NotifyDigest', digestSchema, 'notifyDigests'),
    Settings: db.model<NotifySettingsDoc>('NotifySettings', settingsSchema, 'notifySettings'),
    Level: db.model<NotifyLevelDoc>('NotifyLevel', levelSchema, 'notifyLevels'),
    Read: db.model<NotifyReadDoc>('NotifyRead', readSchema, 'notifyReads'),
    State: db.model<NotifyStateDoc>('NotifyState', stateSchema, 'notifyStates'),
    Mark: db.model<NotifyMarkDoc>('NotifyMark', markSchema, 'notifyMarks'),
    Lease: db.model<NotifyLeaseDoc>('NotifyLease', leaseSchema, 'notifyLeases'),
  };
}

export async function ensureNotifyIndexes(models: NotifyModels): Promise<void> {
  await Promise.all(Object.values(models).map((model: NotifyModels[keyof NotifyModels]) => model.createIndexes()));
}

export const levelId = (group: string, up: string): string => `${group}:${up}`;
export const itemId = (up: string, messageId: string): string => `${up}:${messageId}`;
