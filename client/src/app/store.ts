/**
 * Everything the page shows, in one place, with change notifications by topic
 * so each view redraws only what concerns it.
 */
import type {
  ChatMessagePayload, Group, Up, User,
} from '@chat/contract';
import type { GroupListItem } from '../api/chat-api';
import { OwnReactions } from '../logic/own-reactions';
import { ReadReceipts } from '../logic/reads';
import { Timeline } from '../logic/timeline';
import { TypingTracker } from '../logic/typing';
import type { ConnectionStatus } from '../net/connection';

export interface GroupEntry {
  group: Group;
  lastReadSeq: number;
  unread: number;
  /** Unread messages that mention the person: the group's mention badge. */
  unreadMentions: number;
  lastMessage: ChatMessagePayload | null;
}

export type Topic = 'groups' | 'open' | 'timeline' | 'members' | 'presence' | 'typing' | 'reads' | 'connection' | 'compose' | 'focus';

/** The message the composer answers (a reply), in the group it belongs to. */
export interface ReplyTarget { room: string; id: string }

export interface Presence { online: boolean; lastSeen: string | null }

export class ChatStore {
  readonly groups = new Map<string, GroupEntry>();

  readonly timelines = new Map<string, Timeline>();

  /** Profiles seen in member lists: names for message authors. */
  readonly users = new Map<Up, User>();

  readonly presence = new Map<Up, Presence>();

  readonly typing = new TypingTracker();

  readonly reads = new ReadReceipts();

  /** Member profiles of groups whose member list was loaded. */
  readonly members = new Map<string, Up[]>();

  openGroup: string | null = null;

  /** A message to scroll to and highlight (a search result), until the message list has shown it. */
  focus: { room: string; seq: number } | null = null;

  /** The person's own read position when the open group was opened: where "new messages" starts. */
  unreadMarker: number | null = null;

  /** What the composer is replying to, if anything. */
  replyingTo: ReplyTarget | null = null;

  connection: ConnectionStatus = {
    state: 'offline', url: null, serverId: null, detail: null, failures: 0,
  };

  private readonly listeners = new Map<Topic, Set<() => void>>();

  /** Which reactions are the person's own, also past the reactors a message lists. */
  readonly ownReactions: OwnReactions;

  constructor(readonly me: User) {
    this.users.set(me.up, me);
    this.ownReactions = new OwnReactions(me.up);
  }

  on(topic: Topic, listener: () => void): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(listener);
    this.listeners.set(topic, set);
    return () => set.delete(listener);
  }

  notify(...topics: Topic[]): void {
    new Set(topics).forEach((topic) => this.listeners.get(topic)?.forEach((listener) => listener()));
  }

  timeline(room: string): Timeline {
    const held = this.timelines.get(room);
    if (held) return held;
    const created = new Timeline(room);
    this.timelines.set(room, created);
    return created;
  }

  setGroups(items: GroupListItem[]): void {
    const fresh = new Set(items.map((item) => item.id));
    [...this.groups.keys()].filter((id) => !fresh.has(id)).forEach((id) => this.forgetGroup(id));
    items.forEach((item) => {
      const {
        lastReadSeq, unread, unreadMentions, lastMessage, ...group
      } = item;
      const held = this.groups.get(item.id);
      const newest = [lastMessage, held?.lastMessage].reduce<ChatMessagePayload | null>(
        (best, m) => (m && (!best || m.seq > best.seq) ? m : best),
        null,
      );
      this.groups.set(item.id, {
        // A server from before mentions existed leaves the count out.
        group, lastReadSeq, unread, unreadMentions: unreadMentions ?? 0, lastMessage: newest,
      });
    });
  }

  upsertGroup(group: Group): GroupEntry {
    const held = this.groups.get(group.id);
    const entry: GroupEntry = held
      ? { ...held, group: { ...group, lastSeq: Math.max(group.lastSeq, held.group.lastSeq) } }
      : {
        group, lastReadSeq: 0, unread: group.lastSeq, unreadMentions: 0, lastMessage: null,
      };
    this.groups.set(group.id, entry);
    return entry;
  }

  forgetGroup(id: string): void {
    this.groups.delete(id);
    this.timelines.delete(id);
    this.members.delete(id);
    this.reads.forget(id);
    if (this.openGroup === id) this.openGroup = null;
    if (this.replyingTo?.room === id) this.replyingTo = null;
  }

  /** Newest activity first: what a chat app's list looks like. */
  sortedGroups(): GroupEntry[] {
    const activity = (e: GroupEntry) => e.lastMessage?.timestamp ?? e.group.updatedAt ?? e.group.createdAt;
    return [...this.groups.values()].sort((a, b) => activity(b).localeCompare(activity(a)));
  }

  displayName(up: Up): string {
    return this.users.get(up)?.name || up;
  }

  isOnline(up: Up): boolean {
    if (up === this.me.up) return this.connection.state === 'online';
    return this.presence.get(up)?.online ?? this.users.get(up)?.online ?? false;
  }

  lastSeen(up: Up): string | null {
    return this.presence.get(up)?.lastSeen ?? this.users.get(up)?.lastSeen ?? null;
  }

  /** The profiles of a group's members whose list was loaded (the person included). */
  memberProfiles(room: string): User[] {
    const ups = this.members.get(room) ?? this.groups.get(room)?.group.users ?? [];
    return ups.map((up) => this.users.get(up)).filter((u): u is User => u !== undefined);
  }

  rememberUsers(users: User[]): void {
    users.forEach((user) => {
      this.users.set(user.up, user);
      this.presence.set(user.up, { online: user.online, lastSeen: user.lastSeen });
    });
  }
}
