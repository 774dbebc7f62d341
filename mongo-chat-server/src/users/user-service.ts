/** Users: registration, login, listing and the seed's profile/online update. */
import mongoose from 'mongoose';
import { AppError } from '@chat/shared';
import type {
  NewUser, OffsetPage, User, UserUpdate,
} from '@chat/shared';
import type { Models } from '../db/models';
import { PUBLIC_USER_FIELDS } from '../db/models/user';
import type { UserDoc } from '../db/models/user';
import { isDuplicateKey } from '../errors';
import { userView } from '../views';
import type { Passwords } from './passwords';

export type Credentials = { up: string; password: string } | { username: string; password: string };

export interface UserListQuery {
  page: number;
  perPage: number;
  ups?: string[];
}

const LOGIN_REFUSED = 'wrong user or password';

export function createUserService(models: Models, passwords: Passwords) {
  const { User } = models;

  const findPublic = async (up: string): Promise<User> => {
    const doc = await User.findById(up, PUBLIC_USER_FIELDS).lean();
    if (!doc) throw new AppError('NOT_FOUND', 'no such user');
    return userView(doc);
  };

  return {
    get: findPublic,

    async create(input: NewUser): Promise<User> {
      const passwordHash = await passwords.hash(input.password);
      const doc: UserDoc = {
        _id: input.up,
        username: input.username,
        name: input.name,
        passwordHash,
        online: false,
        lastSeen: null,
        createdAt: new Date(),
      };
      try {
        await User.create(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Not every backend names the index in the error: ask which one is taken.
        const upTaken = await User.exists({ _id: input.up });
        throw new AppError('CONFLICT', upTaken ? 'that user number is taken' : 'that username is taken');
      }
      return userView(doc);
    },

    async login(credentials: Credentials): Promise<User> {
      const filter = 'up' in credentials ? { _id: credentials.up } : { username: credentials.username };
      const doc = await User.findOne(filter).lean();
      const ok = await passwords.verify(doc?.passwordHash, credentials.password);
      if (!doc || !ok) throw new AppError('UNAUTHORIZED', LOGIN_REFUSED);
      return userView(doc);
    },

    async list(query: UserListQuery): Promise<OffsetPage<User>> {
      const filter = query.ups ? { _id: mongoose.trusted({ $in: query.ups }) } : {};
      const [docs, total] = await Promise.all([
        User.find(filter, PUBLIC_USER_FIELDS).sort({ _id: 1 })
          .skip(query.page * query.perPage).limit(query.perPage)
          .lean(),
        User.countDocuments(filter),
      ]);
      return {
        items: docs.map(userView), page: query.page, perPage: query.perPage, total,
      };
    },

    async update(up: string, changes: UserUpdate): Promise<User> {
      const set: Partial<UserDoc> = {};
      if (changes.username !== undefined) set.username = changes.username;
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.online !== undefined) {
        set.online = changes.online;
        set.lastSeen = new Date();
      }
      try {
        // No projection here: FerretDB's findAndModify does not take one; userView picks the public fields.
        const doc = await User.findOneAndUpdate({ _id: up }, { $set: set }, { new: true, runValidators: true }).lean();
        if (!doc) throw new AppError('NOT_FOUND', 'no such user');
        return userView(doc);
      } catch (err) {
        if (isDuplicateKey(err)) throw new AppError('CONFLICT', 'that username is taken');
        throw err;
      }
    },

    /**
     * Many users go online or offline at once (a chat server's presence, gathered):
     * one write per state instead of one per user. Unknown users are skipped.
     */
    async setPresence(online: string[], offline: string[]): Promise<{ lastSeen: string; updated: number }> {
      const lastSeen = new Date();
      let updated = 0;
      for (const [ups, state] of [[online, true], [offline, false]] as const) {
        if (ups.length > 0) {
          const result = await User.updateMany(
            { _id: mongoose.trusted({ $in: [...new Set(ups)] }) },
            { $set: { online: state, lastSeen } },
          );
          updated += result.modifiedCount;
        }
      }
      return { lastSeen: lastSeen.toISOString(), updated };
    },

    /** Which of `ups` do not exist (for group membership checks). */
    async missing(ups: string[]): Promise<string[]> {
      if (ups.length === 0) return [];
      const found = await User.find({ _id: mongoose.trusted({ $in: ups }) }, { _id: 1 }).lean();
      const known = new Set(found.map((u) => u._id));
      return ups.filter((up) => !known.has(up));
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
