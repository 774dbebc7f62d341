/**
 * A user's notification preferences (time zone, quiet hours, a level per
 * group) and their in-app list with its read position. Each document here is
 * written only on the user's behalf; group levels are one document per group
 * and user, so setting two groups at once loses neither.
 */
import mongoose from 'mongoose';
import { AppError, DEFAULT_NOTIFY_LEVEL } from '@chat/shared';
import type {
  NotificationList, NotificationPreferences, PreferencesUpdate,
} from '@chat/shared';
import { inChunks } from '../db/chunks';
import type { Models } from '../db/models';
import { membershipId } from '../db/models/membership';
import { itemView } from './digest-worker';
import { levelId } from './models';
import type { NotifyModels } from './models';

const DEFAULT_TIME_ZONE = 'UTC';

export function createPreferences(base: Models, n: NotifyModels) {
  const get = async (up: string): Promise<NotificationPreferences> => {
    const [settings, levels] = await Promise.all([
      n.Settings.findById(up).lean(),
      n.Level.find({ up }).lean(),
    ]);
    return {
      timeZone: settings?.timeZone ?? DEFAULT_TIME_ZONE,
      quietHours: settings?.quietStart && settings.quietEnd
        ? { start: settings.quietStart, end: settings.quietEnd } : null,
      defaultLevel: DEFAULT_NOTIFY_LEVEL,
      groups: levels.map((l) => ({ group: l.group, level: l.level })).sort((a, b) => a.group.localeCompare(b.group)),
    };
  };

  const unreadOf = async (up: string, upTo: string | undefined): Promise<number> => (
    n.Item.countDocuments(upTo ? { up, messageId: mongoose.trusted({ $gt: upTo }) } : { up }));

  return {
    get,

    async set(up: string, update: PreferencesUpdate): Promise<NotificationPreferences> {
      if (update.groups) {
        const ids = [...new Set(update.groups.map((g) => membershipId(g.group, up)))];
        const found = await base.Membership.find({ _id: mongoose.trusted({ $in: ids }) }, { _id: 1 }).lean();
        const known = new Set(found.map((m) => m._id));
        const strangers = update.groups.filter((g) => !known.has(membershipId(g.group, up))).map((g) => g.group);
        if (strangers.length > 0) {
          throw new AppError('FORBIDDEN', `not a member of ${[...new Set(strangers)].join(', ')}`);
        }
      }
      if (update.timeZone !== undefined || update.quietHours !== undefined) {
        const current = await n.Settings.findById(up).lean();
        const timeZone = update.timeZone ?? current?.timeZone ?? DEFAULT_TIME_ZONE;
        let quiet = { start: current?.quietStart ?? null, end: current?.quietEnd ?? null };
        if (update.quietHours !== undefined) {
          quiet = { start: update.quietHours?.start ?? null, end: update.quietHours?.end ?? null };
        }
        await n.Settings.replaceOne(
          { _id: up },
          {
            _id: up, timeZone, quietStart: quiet.start, quietEnd: quiet.end,
          },
          { upsert: true },
        );
      }
      if (update.groups) {
        await inChunks(update.groups, (chunk) => n.Level.bulkWrite(chunk.map((g) => ({
          replaceOne: {
            filter: { _id: levelId(g.group, up) },
            replacement: {
              _id: levelId(g.group, up), group: g.group, up, level: g.level,
            },
            upsert: true,
          },
        }))));
      }
      return get(up);
    },

    async list(up: string, limit: number): Promise<NotificationList> {
      const [docs, read] = await Promise.all([
        n.Item.find({ up }).sort({ messageId: -1 }).limit(limit).lean(),
        n.Read.findById(up).lean(),
      ]);
      const upTo = read?.upTo;
      return {
        items: docs.map((d) => ({ ...itemView(d), read: upTo !== undefined && d.messageId <= upTo })),
        unread: await unreadOf(up, upTo),
      };
    },

    /** Moves the read position to `upTo` (default: the newest notification); never back. */
    async markRead(up: string, upTo?: string): Promise<{ unread: number }> {
      let target = upTo;
      if (target === undefined) {
        const newest = await n.Item.findOne({ up }, { messageId: 1 }).sort({ messageId: -1 }).lean();
        target = newest?.messageId;
      }
      const current = await n.Read.findById(up).lean();
      const position = [current?.upTo, target].filter((v): v is string => v !== undefined).sort().pop();
      if (position !== undefined && position !== current?.upTo) {
        await n.Read.replaceOne({ _id: up }, { _id: up, upTo: position }, { upsert: true });
      }
      return { unread: await unreadOf(up, position) };
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
