/**
 * An in-memory stand-in for one chat server, shaped exactly by the contracts
 * (REST routes, socket events, acks), so the page can be driven in a browser
 * before and apart from the real system. It is not the system under test: the
 * real chat server, dispatcher and data service are tested in their own parts
 * and end to end. Also answers GET /chat/location (for itself), as a chat
 * server without a dispatcher does.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response } from 'express';
import { Server } from 'socket.io';
import { mentionedNames, TIMELINE_LIMITS } from '@chat/contract';
import type {
  ChatMessagePayload, ClientToServerEvents, ErrorCode, Group, PresenceBatch, Reaction, ServerToClientEvents, User,
} from '@chat/contract';

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { up: string }>;

export interface StandIn {
  url: string;
  serverId: string;
  io: Io;
  register(up: string, name: string, password?: string): User;
  createGroup(name: string, users: string[], createdBy: string): Group;
  /** Stores a message as if `from` had sent it (and delivers it live). */
  post(group: string, from: string, message: string, clientId?: string, replyTo?: string): ChatMessagePayload;
  /** Changes a message as if `by` had (edit, delete, reaction), delivering `message updated`; throws a refusal. */
  change(group: string, id: string, by: string, what: StandInChange): ChatMessagePayload;
  messages(group: string): ChatMessagePayload[];
  /** While true, handshakes are refused as if the server were restarting. */
  refuseConnections: boolean;
  /** clientIds of every `chat message` received, retries included. */
  sendAttempts: string[];
  /** The next `chat message` is answered with this error instead of being stored. */
  failNextSend: { code: 'UNAVAILABLE' | 'FORBIDDEN'; message: string } | null;
  /** The next edit, delete or reaction is answered with this error. */
  failNextChange: { code: 'UNAVAILABLE' | 'FORBIDDEN' | 'RATE_LIMITED'; message: string } | null;
  /** The message ids of every `GET /chat/{group}/reactions/mine` received. */
  ownReactionRequests: string[][];
  /** The groups and revs of every `resume` received. */
  resumeRequests: { room: string; rev: number }[][];
  close(): Promise<void>;
}

export type StandInChange =
  | { kind: 'edit'; message: string }
  | { kind: 'delete' }
  | { kind: 'react'; emoji: string; add: boolean };

type ChangeAck = { ok: true; message: ChatMessagePayload } | { ok: false; error: { code: ErrorCode; message: string } };

/** A refusal in the contract's error shape. */
class Refusal extends Error {
  constructor(readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT', message: string) { super(message); }
}

const fail = (res: Response, status: number, code: string, message: string) => {
  res.status(status).json({ error: { code, message } });
};

export async function startStandIn(serverId = 'stand-in-chat'): Promise<StandIn> {
  const users = new Map<string, { user: User; password: string }>();
  const groups = new Map<string, Group>();
  const history = new Map<string, ChatMessagePayload[]>();
  const reads = new Map<string, number>();
  /** Each group's revision: every change takes the next one. */
  const revs = new Map<string, number>();
  /** Unread mentions per `group:up`: the seqs of the messages that mention them. */
  const mentionsOf = new Map<string, Set<number>>();
  const nextRev = (group: string) => {
    const rev = (revs.get(group) ?? 0) + 1;
    revs.set(group, rev);
    return rev;
  };
  /** The members a text mentions, as the real server resolves them: `@<up>` or `@<username>`. */
  const mentionedIn = (group: Group, text: string, from: string): string[] => {
    const found = new Set<string>();
    mentionedNames(text).forEach((name) => {
      const member = group.users.find((up) => up === name || users.get(up)?.user.username === name);
      if (member && member !== from) found.add(member);
    });
    return [...found];
  };
  /** The reactors of each message, in the order they reacted. */
  const reactors = new Map<string, { emoji: string; up: string }[]>();
  const summarize = (id: string): Reaction[] => {
    const byEmoji = new Map<string, Reaction>();
    (reactors.get(id) ?? []).forEach(({ emoji, up }) => {
      const entry = byEmoji.get(emoji) ?? { emoji, count: 0, ups: [] };
      entry.count += 1;
      if (entry.ups.length < TIMELINE_LIMITS.reactorsListed) entry.ups.push(up);
      byEmoji.set(emoji, entry);
    });
    return [...byEmoji.values()];
  };
  /** Sockets connected per user: presence. */
  const connected = new Map<string, number>();
  const app = express();
  const httpServer = http.createServer(app);
  const io: Io = new Server(httpServer, { cors: { origin: true }, transports: ['websocket'] });
  let url = '';

  const tokenOf = (up: string) => `token-${up}`;
  const caller = (req: Request): User | undefined => {
    const up = /^Bearer token-(.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return up ? users.get(up)?.user : undefined;
  };
  const groupFor = (req: Request, res: Response, me: User): Group | undefined => {
    const group = groups.get(String(req.params.group));
    if (!group) fail(res, 404, 'NOT_FOUND', 'group not found');
    else if (!group.users.includes(me.up)) fail(res, 403, 'FORBIDDEN', 'not a member of this group');
    else return group;
    return undefined;
  };
  const touch = (group: Group) => { group.updatedAt = new Date().toISOString(); };
  const emitToMembers = (group: Group, emit: (room: ReturnType<Io['to']>) => void) => {
    emit(io.to(group.users.map((up) => `user:${up}`)));
  };

  const standIn: StandIn = {
    url: '',
    serverId,
    io,
    register(up, name, password = 'password-123') {
      const user: User = {
        up, username: `user${up}`, name, online: false, lastSeen: null, createdAt: new Date().toISOString(),
      };
      users.set(up, { user, password });
      return user;
    },
    createGroup(name, members, createdBy) {
      const now = new Date().toISOString();
      const group: Group = {
        id: crypto.randomBytes(12).toString('hex'),
        name,
        users: [...new Set([...members, createdBy])],
        createdBy,
        owner: createdBy,
        admins: [],
        lastSeq: 0,
        createdAt: now,
        updatedAt: now,
      };
      groups.set(group.id, group);
      history.set(group.id, []);
      group.users.forEach((up) => io.in(`user:${up}`).socketsJoin(group.id));
      emitToMembers(group, (to) => to.emit('group created', group));
      return group;
    },
    post(groupId, from, message, clientId = crypto.randomUUID(), replyTo = undefined) {
      const list = history.get(groupId) as ChatMessagePayload[];
      const group = groups.get(groupId) as Group;
      const answered = replyTo === undefined ? undefined : list.find((m) => m.id === replyTo);
      if (replyTo !== undefined && !answered) throw new Refusal('NOT_FOUND', 'replyTo: no such message in this group');
      const stored: ChatMessagePayload = {
        id: crypto.randomBytes(12).toString('hex'),
        seq: list.length + 1,
        message,
        up: from,
        room: groupId,
        timestamp: new Date().toISOString(),
        clientId,
        rev: nextRev(groupId),
      };
      if (answered) {
        stored.replyTo = answered.deleted
          ? {
            id: answered.id, seq: answered.seq, up: answered.up, deleted: true,
          }
          : {
            id: answered.id,
            seq: answered.seq,
            up: answered.up,
            excerpt: [...answered.message].slice(0, TIMELINE_LIMITS.excerptLength).join(''),
          };
      }
      const mentions = mentionedIn(group, message, from);
      if (mentions.length > 0) stored.mentions = mentions;
      list.push(stored);
      group.lastSeq = stored.seq;
      io.to(groupId).emit('chat message', stored);
      mentions.forEach((up) => {
        const key = `${groupId}:${up}`;
        mentionsOf.set(key, (mentionsOf.get(key) ?? new Set()).add(stored.seq));
        io.to(`user:${up}`).emit('mentioned', {
          room: groupId, id: stored.id, seq: stored.seq, up: from,
        });
      });
      return stored;
    },
    change(groupId, id, by, what) {
      const list = history.get(groupId) ?? [];
      const index = list.findIndex((m) => m.id === id);
      const held = list[index];
      if (!held || (held.deleted && what.kind !== 'delete')) throw new Refusal('NOT_FOUND', 'no such message');
      if (what.kind !== 'react' && held.up !== by) throw new Refusal('FORBIDDEN', 'only its author can change this message');
      if (what.kind === 'delete' && held.deleted) return held;
      const now = new Date().toISOString();
      const touched: ChatMessagePayload[] = [];
      let next: ChatMessagePayload;
      if (what.kind === 'edit') {
        next = {
          ...held, message: what.message, editedAt: now, rev: nextRev(groupId),
        };
        const mentions = mentionedIn(groups.get(groupId) as Group, what.message, held.up);
        if (mentions.length > 0) next.mentions = mentions;
        else delete next.mentions;
      } else if (what.kind === 'delete') {
        next = {
          ...held, message: '', deleted: true, deletedAt: now, rev: nextRev(groupId),
        };
        // The tombstone keeps no text, mentions or reactions.
        delete next.editedAt;
        delete next.mentions;
        delete next.reactions;
        reactors.delete(id);
        list.forEach((m, i) => {
          if (m.replyTo?.id !== id) return;
          const quote = {
            id: held.id, seq: held.seq, up: held.up, deleted: true as const,
          };
          list[i] = { ...m, replyTo: quote, rev: nextRev(groupId) };
          touched.push(list[i] as ChatMessagePayload);
        });
      } else {
        const mine = reactors.get(id) ?? [];
        const has = mine.some((r) => r.emoji === what.emoji && r.up === by);
        if (what.add && !has) {
          const emoji = new Set(mine.map((r) => r.emoji));
          if (!emoji.has(what.emoji) && emoji.size >= TIMELINE_LIMITS.reactionEmoji) {
            throw new Refusal('CONFLICT', `at most ${TIMELINE_LIMITS.reactionEmoji} different emoji per message`);
          }
          mine.push({ emoji: what.emoji, up: by });
        }
        const kept = what.add ? mine : mine.filter((r) => !(r.emoji === what.emoji && r.up === by));
        reactors.set(id, kept);
        // An idempotent repeat answers the message as it is.
        if (what.add === has) return held;
        const reactions = summarize(id);
        next = { ...held, reactions, rev: nextRev(groupId) };
        if (reactions.length === 0) delete next.reactions;
      }
      list[index] = next;
      [next, ...touched].sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0))
        .forEach((m) => io.to(groupId).emit('message updated', m));
      return next;
    },
    messages: (groupId) => history.get(groupId) ?? [],
    refuseConnections: false,
    sendAttempts: [],
    failNextSend: null,
    failNextChange: null,
    resumeRequests: [],
    ownReactionRequests: [],
    close: () => new Promise((resolve) => {
      io.disconnectSockets(true);
      void io.close(() => resolve());
    }),
  };

  app.use((req, res, next) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    res.setHeader('access-control-allow-methods', 'GET, POST, PATCH, PUT, DELETE');
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });
  app.use(express.json());

  app.post('/auth/register', (req, res) => {
    const {
      up, name, username, password,
    } = req.body as Record<string, string | undefined>;
    if (!up || !username || !name?.trim() || !password || password.length < 8) {
      fail(res, 400, 'VALIDATION_FAILED', 'up, username, name and a password of 8 characters or more are required');
      return;
    }
    // The data service's words (mongo-chat-server/src/users/user-service.ts).
    if (users.has(up) || [...users.values()].some((u) => u.user.username === username)) {
      fail(res, 409, 'CONFLICT', users.has(up) ? 'that user number is taken' : 'that username is taken');
      return;
    }
    const user = standIn.register(up, name.trim(), password);
    user.username = username;
    res.status(201).json({ token: tokenOf(up), user });
  });
  app.post('/auth/login', (req, res) => {
    const { up, username, password } = req.body as Record<string, string>;
    const found = [...users.values()].find((u) => (up ? u.user.up === up : u.user.username === username));
    if (!found || found.password !== password) {
      fail(res, 401, 'UNAUTHORIZED', 'wrong user number or password');
      return;
    }
    res.json({ token: tokenOf(found.user.up), user: found.user });
  });
  app.use((req, res, next) => {
    if (caller(req)) next();
    else fail(res, 401, 'UNAUTHORIZED', 'sign in first');
  });
  app.get('/auth/me', (req, res) => { res.json({ user: caller(req) }); });
  app.get('/chat/location', (_req, res) => { res.json({ url, serverId, mapVersion: 1 }); });
  app.get('/chat/groups', (req, res) => {
    const me = caller(req) as User;
    const items = [...groups.values()].filter((g) => g.users.includes(me.up)).map((g) => {
      const lastReadSeq = reads.get(`${g.id}:${me.up}`) ?? 0;
      const list = history.get(g.id) ?? [];
      return {
        ...g,
        lastReadSeq,
        unread: Math.max(0, g.lastSeq - lastReadSeq),
        unreadMentions: mentionsOf.get(`${g.id}:${me.up}`)?.size ?? 0,
        lastMessage: list[list.length - 1] ?? null,
      };
    });
    res.json({ items });
  });
  app.post('/chat/groups', (req, res) => {
    const me = caller(req) as User;
    const { name, users: members } = req.body as { name?: string; users?: string[] };
    const unknown = (members ?? []).filter((up) => !users.has(up));
    if (!name || unknown.length > 0) {
      fail(res, 400, 'VALIDATION_FAILED', unknown.length > 0 ? `unknown users: ${unknown.join(', ')}` : 'name is required');
      return;
    }
    res.status(201).json(standIn.createGroup(name, members ?? [], me.up));
  });
  app.patch('/chat/groups/:group', (req, res) => {
    const name = String((req.body as { name?: unknown }).name ?? '').trim();
    if (!name || name.length > 100) {
      fail(res, 400, 'VALIDATION_FAILED', 'name: must be 1 to 100 characters');
      return;
    }
    const group = groupFor(req, res, caller(req) as User);
    if (!group) return;
    group.name = name;
    touch(group);
    // As server/src/groups/operations.ts: to the group's room.
    io.to(group.id).emit('group updated', group);
    res.json(group);
  });
  app.get('/chat/groups/:group/members', (req, res) => {
    const group = groupFor(req, res, caller(req) as User);
    if (group) res.json({ items: group.users.map((up) => users.get(up)?.user).filter(Boolean) });
  });
  // Members add and remove as server/src/groups/operations.ts does, with the data service's refusals.
  app.post('/chat/groups/:group/members', (req, res) => {
    const wanted = (req.body as { users?: unknown }).users;
    if (!Array.isArray(wanted) || wanted.length === 0) {
      fail(res, 400, 'VALIDATION_FAILED', 'users: must contain at least 1 element(s)');
      return;
    }
    const group = groupFor(req, res, caller(req) as User);
    if (!group) return;
    const ups = [...new Set(wanted.map(String))];
    const unknown = ups.filter((up) => !users.has(up));
    if (unknown.length > 0) {
      fail(res, 400, 'VALIDATION_FAILED', `users: unknown user(s) ${unknown.join(', ')}`);
      return;
    }
    const added = ups.filter((up) => !group.users.includes(up));
    group.users.push(...added);
    if (added.length > 0) {
      touch(group);
      io.in(added.map((up) => `user:${up}`)).socketsJoin(group.id);
    }
    io.to([group.id, ...added.map((up) => `user:${up}`)]).emit('group updated', group);
    added.forEach((up) => { io.to([group.id, `user:${up}`]).emit('member joined', { room: group.id, up }); });
    res.json(group);
  });
  app.delete('/chat/groups/:group/members/:up', (req, res) => {
    const me = caller(req) as User;
    const up = String(req.params.up);
    const group = groups.get(String(req.params.group));
    if (!group) {
      fail(res, 404, 'NOT_FOUND', 'no such group');
      return;
    }
    if (up !== me.up && group.owner !== me.up && !group.admins.includes(me.up)) {
      fail(res, 403, 'FORBIDDEN', 'only the owner and admins can remove members');
      return;
    }
    if (!group.users.includes(up)) {
      fail(res, 404, 'NOT_FOUND', 'not a member of this group');
      return;
    }
    group.users = group.users.filter((u) => u !== up);
    touch(group);
    io.to([group.id, `user:${up}`]).emit('member left', { room: group.id, up });
    io.in(`user:${up}`).socketsLeave(group.id);
    res.json(group);
  });
  app.get('/chat/:group/message', (req, res) => {
    const group = groupFor(req, res, caller(req) as User);
    if (!group) return;
    const list = history.get(group.id) ?? [];
    const limit = Number(req.query.limit ?? 50);
    const before = Number(req.query.before);
    const older = list.filter((m) => m.seq < before);
    res.json({ items: older.slice(-limit), hasMore: older.length > limit });
  });
  app.get('/chat/:group/reactions/mine', (req, res) => {
    const me = caller(req) as User;
    const group = groupFor(req, res, me);
    if (!group) return;
    const ids = String(req.query.messages ?? '').split(',').filter((id) => id.length > 0);
    standIn.ownReactionRequests.push(ids);
    const items = ids.flatMap((id) => {
      const emoji = (reactors.get(id) ?? []).filter((r) => r.up === me.up).map((r) => r.emoji);
      return emoji.length > 0 ? [{ id, emoji }] : [];
    });
    res.json({ items });
  });

  io.use((socket, next) => {
    const { token } = socket.handshake.auth as { token?: unknown };
    const up = typeof token === 'string' ? token.replace(/^token-/, '') : '';
    if (!users.has(up)) {
      next(Object.assign(new Error('invalid token'), { data: { code: 'UNAUTHORIZED' } }));
      return;
    }
    if (standIn.refuseConnections) {
      next(Object.assign(new Error('restarting'), { data: { code: 'UNAVAILABLE' } }));
      return;
    }
    socket.data.up = up;
    next();
  });
  io.on('connection', (socket) => {
    const { up } = socket.data;
    void socket.join([`user:${up}`, ...[...groups.values()].filter((g) => g.users.includes(up)).map((g) => g.id)]);
    const user = users.get(up)?.user as User;
    // Presence as server/src/presence/presence.ts tells it: online from the first socket to the last,
    // to the rooms of the user's groups (no grace period, no batching interval here).
    const tellGroups = (batch: PresenceBatch) => {
      const rooms = [...groups.values()].filter((g) => g.users.includes(up)).map((g) => g.id);
      if (rooms.length > 0) io.to(rooms).emit('presence', batch);
    };
    const sockets = (connected.get(up) ?? 0) + 1;
    connected.set(up, sockets);
    if (sockets === 1) {
      user.online = true;
      user.lastSeen = new Date().toISOString();
      tellGroups({ online: [up], offline: [] });
    }
    socket.on('online', (_payload, ack) => ack({ ok: true }));
    socket.on('join room', ({ room, since }, ack) => {
      const group = groups.get(room);
      if (!group?.users.includes(up)) {
        ack({ ok: false, error: { code: 'FORBIDDEN', message: 'not a member of this group' } });
        return;
      }
      void socket.join(room);
      const list = history.get(room) ?? [];
      const messages = since === undefined ? list.slice(-50) : list.filter((m) => m.seq > since).slice(0, 100);
      const hasMore = since === undefined ? list.length > 50 : list.length - since > 100;
      ack({
        ok: true, room, messages, lastSeq: group.lastSeq, hasMore,
      });
    });
    socket.on('chat message', ({
      room, message, clientId: sent, replyTo,
    }, ack) => {
      // As the real server does: a send without a clientId gets one (and is not idempotent).
      const clientId = sent ?? crypto.randomUUID();
      standIn.sendAttempts.push(clientId);
      if (standIn.failNextSend) {
        ack({ ok: false, error: standIn.failNextSend });
        standIn.failNextSend = null;
        return;
      }
      const group = groups.get(room);
      if (!group?.users.includes(up)) {
        ack({ ok: false, error: { code: 'FORBIDDEN', message: 'not a member of this group' } });
        return;
      }
      const earlier = (history.get(room) ?? []).find((m) => m.clientId === clientId);
      try {
        const stored = earlier ?? standIn.post(room, up, message, clientId, replyTo);
        ack({
          ok: true, id: stored.id, seq: stored.seq, timestamp: stored.timestamp,
        });
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        ack({ ok: false, error: { code: err.code, message: err.message } });
      }
    });
    // The group timeline, as the contract's timeline events describe it.
    const changeHandler = (what: (payload: { message?: string; emoji?: string }) => StandInChange) => (
      payload: { room: string; id: string; message?: string; emoji?: string },
      ack: (answer: ChangeAck) => void,
    ) => {
      const group = groups.get(payload.room);
      if (!group?.users.includes(up)) {
        ack({ ok: false, error: { code: 'FORBIDDEN', message: 'not a member of this group' } });
        return;
      }
      if (standIn.failNextChange) {
        ack({ ok: false, error: standIn.failNextChange });
        standIn.failNextChange = null;
        return;
      }
      try {
        ack({ ok: true, message: standIn.change(payload.room, payload.id, up, what(payload)) });
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        ack({ ok: false, error: { code: err.code, message: err.message } });
      }
    };
    socket.on('edit message', changeHandler(({ message }) => ({ kind: 'edit', message: message ?? '' })));
    socket.on('delete message', changeHandler(() => ({ kind: 'delete' })));
    socket.on('add reaction', changeHandler(({ emoji }) => ({ kind: 'react', emoji: emoji ?? '', add: true })));
    socket.on('remove reaction', changeHandler(({ emoji }) => ({ kind: 'react', emoji: emoji ?? '', add: false })));
    socket.on('resume', ({ groups: asked }, ack) => {
      standIn.resumeRequests.push(asked.map((g) => ({ room: g.room, rev: g.rev ?? 0 })));
      ack({
        ok: true,
        groups: asked.map(({ room, rev = 0 }) => {
          const group = groups.get(room);
          if (!group?.users.includes(up)) {
            return { room, ok: false as const, error: { code: 'FORBIDDEN', message: 'not a member of this group' } };
          }
          void socket.join(room);
          const changed = (history.get(room) ?? []).filter((m) => (m.rev ?? 0) > rev)
            .sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0));
          const items = changed.slice(0, TIMELINE_LIMITS.resumeChanges);
          const last = items[items.length - 1]?.rev ?? rev;
          return {
            room, ok: true as const, items, rev: last, hasMore: changed.length > items.length,
          };
        }),
      });
    });
    socket.on('typing', ({ room }) => { socket.to(room).emit('typing', { room, up }); });
    socket.on('read', ({ room, seq }, ack) => {
      const key = `${room}:${up}`;
      const lastReadSeq = Math.max(reads.get(key) ?? 0, seq);
      reads.set(key, lastReadSeq);
      const mentioned = mentionsOf.get(key);
      if (mentioned) mentionsOf.set(key, new Set([...mentioned].filter((s) => s > lastReadSeq)));
      io.to(room).emit('read', { room, up, seq: lastReadSeq });
      ack({ ok: true, lastReadSeq });
    });
    socket.on('disconnect', () => {
      const left = (connected.get(up) ?? 1) - 1;
      connected.set(up, left);
      if (left > 0) return;
      user.online = false;
      user.lastSeen = new Date().toISOString();
      tellGroups({ online: [], offline: [{ up, lastSeen: user.lastSeen }] });
    });
  });

  await new Promise<void>((resolve) => { httpServer.listen(0, '127.0.0.1', resolve); });
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  standIn.url = url;
  return standIn;
}
