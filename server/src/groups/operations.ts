/**
 * Group management with its live side: after the data service changes a
 * group, the affected users' sockets enter or leave the room on every chat
 * server (`socketsJoin`/`socketsLeave` through the adapter) and members are told.
 * Notices that must arrive before a socket leaves go to several rooms at once,
 * which the adapter relays on the same channel as the leave, so they stay ahead.
 */
import { AppError } from '@chat/shared';
import type { Group, Up, User } from '@chat/shared';
import type { ChatContext } from '../context';
import { userRoom } from '../sockets/types';

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export function createGroupOperations(ctx: ChatContext) {
  const { io, data, membership } = ctx;

  const revoke = (room: string, up: Up | null) => {
    membership.revoke(room, up);
    // Other chat servers exist only with Redis (the in-memory adapter has no server-side emit).
    if (ctx.config.redis) io.serverSideEmit('membership revoked', { room, up });
  };

  const requireCreator = async (id: string, up: Up): Promise<Group> => {
    const group = await data.getGroup(id);
    if (group.createdBy !== up) throw new AppError('FORBIDDEN', 'only the creator of the group can do this');
    return group;
  };

  return {
    requireMember: (id: string, up: Up) => membership.require(id, up),

    create: async (me: Up, name: string, users: Up[]): Promise<Group> => {
      const group = await data.createGroup({ name, users, createdBy: me });
      await ctx.buffer.prime(group.id, [], 0);
      io.in(group.users.map(userRoom)).socketsJoin(group.id);
      io.to(group.users.map(userRoom)).emit('group created', group);
      return group;
    },

    rename: async (me: Up, id: string, name: string): Promise<Group> => {
      await membership.require(id, me);
      const group = await data.renameGroup(id, name);
      io.to(id).emit('group updated', group);
      return group;
    },

    remove: async (me: Up, id: string): Promise<void> => {
      const group = await requireCreator(id, me);
      await data.deleteGroup(id);
      io.to([id, ...group.users.map(userRoom)]).emit('group deleted', { room: id });
      io.in(id).socketsLeave(id);
      revoke(id, null);
      await ctx.buffer.forget(id);
    },

    addMembers: async (me: Up, id: string, users: Up[]): Promise<Group> => {
      await membership.require(id, me);
      const before = new Set((await data.getGroup(id)).users);
      const group = await data.addMembers(id, users);
      const added = group.users.filter((up) => !before.has(up));
      if (added.length > 0) io.in(added.map(userRoom)).socketsJoin(id);
      io.to([id, ...added.map(userRoom)]).emit('group updated', group);
      added.forEach((up) => { io.to([id, userRoom(up)]).emit('member joined', { room: id, up }); });
      return group;
    },

    /** Yourself: leaving. Someone else: only the creator may. */
    removeMember: async (me: Up, id: string, up: Up): Promise<Group> => {
      if (up !== me) await requireCreator(id, me);
      const group = await data.removeMember(id, up);
      io.to([id, userRoom(up)]).emit('member left', { room: id, up });
      io.in(userRoom(up)).socketsLeave(id);
      revoke(id, up);
      return group;
    },

    members: async (me: Up, id: string): Promise<User[]> => {
      await membership.require(id, me);
      const group = await data.getGroup(id);
      const pages = await Promise.all(chunks(group.users, 100).map((ups) => data.usersByUp(ups)));
      return pages.flatMap((page) => page.items);
    },
  };
}

export type GroupOperations = ReturnType<typeof createGroupOperations>;
