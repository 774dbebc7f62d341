/**
 * The open group's conversation: loading, catching up, scrolling back, sending
 * (with a clientId that makes retries safe), read positions.
 */
import { sendMessageRequestSchema, TIMELINE_LIMITS } from '@chat/contract';
import type {
  AttachmentRef, ChatMessagePayload, ReplyQuote, SendMessageResult,
} from '@chat/contract';
import {
  canResume, catchUp, isNoAnswer, joinRoom, markRead, newClientId, resumeAll, resumeGroups, sendChatMessage,
} from '@chat/protocol-client';
import { describeError } from '../api/describe-error';
import { unreadCount } from '../logic/reads';
import { TypingThrottle } from '../logic/typing-throttle';
import type { AppContext } from './context';

/** The quote a reply shows of the message it answers (the server makes the same one). */
export function quoteOf(message: ChatMessagePayload): ReplyQuote {
  const points = [...message.message];
  const excerpt = points.length <= TIMELINE_LIMITS.excerptLength
    ? message.message : `${points.slice(0, TIMELINE_LIMITS.excerptLength - 1).join('')}…`;
  return message.deleted
    ? {
      id: message.id, seq: message.seq, up: message.up, deleted: true,
    }
    : {
      id: message.id, seq: message.seq, up: message.up, excerpt,
    };
}

const OLDER_PAGE = 50;

export class Messages {
  /** Whether the person can see the newest message of the open group (reported by the view). */
  private atBottom = true;

  private readonly catchingUp = new Map<string, Promise<void>>();

  private readonly loadingOlder = new Set<string>();

  private readonly sending = new Set<string>();

  private readonly reading = new Set<string>();

  private readonly typingThrottle = new TypingThrottle();

  /** The chat server did not answer `resume` (one from before it existed): catch up by `join room`. */
  private resumeUnsupported = false;

  constructor(private readonly ctx: AppContext) {}

  isLoadingOlder(room: string): boolean { return this.loadingOlder.has(room); }

  isCatchingUp(room: string): boolean { return this.catchingUp.has(room); }

  open(room: string): void {
    const { store } = this.ctx;
    const entry = store.groups.get(room);
    if (!entry) return;
    store.openGroup = room;
    store.unreadMarker = entry.unread > 0 ? entry.lastReadSeq : null;
    this.atBottom = true;
    store.notify('open', 'timeline', 'typing', 'reads');
    if (!store.timeline(room).loaded) void this.catchUp(room);
    else this.readIfViewing(room);
  }

  close(): void {
    this.ctx.store.openGroup = null;
    this.ctx.store.notify('open');
  }

  /** Reported by the view as the person scrolls, and when the page becomes visible again. */
  viewing(atBottom: boolean): void {
    this.atBottom = atBottom;
    const room = this.ctx.store.openGroup;
    if (room && atBottom) this.readIfViewing(room);
  }

  /** Brings one group up to date through the socket; one run per group at a time. */
  catchUp(room: string): Promise<void> {
    const running = this.catchingUp.get(room);
    if (running) return running;
    const socket = this.ctx.liveSocket();
    if (!socket) return Promise.resolve();
    const { store } = this.ctx;
    const run = (async () => {
      const timeline = store.timeline(room);
      store.notify('timeline');
      const outcome = await catchUp((r, since) => joinRoom(socket, store.me.up, r, since), timeline);
      const entry = store.groups.get(room);
      if (entry) {
        entry.group.lastSeq = Math.max(entry.group.lastSeq, outcome.lastSeq, timeline.lastSeq);
        const newest = timeline.messages[timeline.messages.length - 1];
        if (newest && (!entry.lastMessage || newest.seq > entry.lastMessage.seq)) entry.lastMessage = newest;
      }
    })()
      .catch((err: unknown) => {
        if (this.ctx.liveSocket()) this.ctx.toast(`Could not load the messages of “${this.groupName(room)}”. ${describeError(err)}`);
      })
      .finally(() => {
        this.catchingUp.delete(room);
        store.notify('timeline', 'groups');
        this.readIfViewing(room);
      });
    this.catchingUp.set(room, run);
    return run;
  }

  /**
   * After a (re)connect: every group whose conversation is held, in one `resume` request from the
   * rev each held when the connection dropped (edits, deletes, reactions and new messages alike);
   * groups it cannot answer, and the open one if it was never loaded, catch up by `join room`.
   */
  async catchUpAll(): Promise<void> {
    const { store } = this.ctx;
    const loaded = [...store.timelines.values()].filter((t) => t.loaded);
    // A group whose messages carry no rev (stored before revisions existed) has nothing to resume from.
    const resumable = this.resumeUnsupported ? [] : loaded.filter(canResume);
    const rooms = loaded.filter((t) => !resumable.includes(t)).map((t) => t.room);
    if (store.openGroup && !loaded.some((t) => t.room === store.openGroup)) rooms.push(store.openGroup);
    const socket = this.ctx.liveSocket();
    if (socket && resumable.length > 0) {
      try {
        const outcome = await resumeAll((groups) => resumeGroups(socket, groups), resumable);
        rooms.push(...outcome.behind);
        resumable.forEach((t) => this.noteNewest(t.room));
        store.notify('timeline', 'groups');
      } catch (err) {
        if (isNoAnswer(err) && socket.connected) this.resumeUnsupported = true;
        rooms.push(...resumable.map((t) => t.room));
      }
    }
    const unique = [...new Set(rooms)];
    unique.sort((a, b) => Number(b === store.openGroup) - Number(a === store.openGroup));
    for (const room of unique) await this.catchUp(room);
    unique.forEach((room) => store.timelines.get(room)?.resumed(0));
  }

  /** The group list's preview and newest seq follow what the timeline holds. */
  private noteNewest(room: string): void {
    const { store } = this.ctx;
    const entry = store.groups.get(room);
    const timeline = store.timelines.get(room);
    const newest = timeline?.messages[timeline.messages.length - 1];
    if (!entry || !newest) return;
    entry.group.lastSeq = Math.max(entry.group.lastSeq, newest.seq);
    if (!entry.lastMessage || newest.seq >= entry.lastMessage.seq) entry.lastMessage = newest;
  }

  /** A message changed (edit, delete, reaction, its reply quote): its new state, if newer than the one held. */
  changed(message: ChatMessagePayload): void {
    const { store } = this.ctx;
    const entry = store.groups.get(message.room);
    if (!entry) return;
    const timeline = store.timelines.get(message.room);
    if (timeline?.loaded) {
      timeline.applyChanges([message]);
      if (timeline.hasGap()) void this.catchUp(message.room);
    }
    const last = entry.lastMessage;
    if (last && last.id === message.id && (message.rev ?? -1) > (last.rev ?? -1)) entry.lastMessage = message;
    store.notify('timeline', 'groups');
  }

  /** A new message mentions the person: the group's mention badge, unless they are reading it. */
  mentioned(room: string, up: string): void {
    const { store } = this.ctx;
    const entry = store.groups.get(room);
    if (!entry || up === store.me.up || this.isViewing(room)) return;
    entry.unreadMentions += 1;
    store.notify('groups');
  }

  /** Scrolling back until the message at `seq` is held (a reply's original): false if it cannot be. */
  async loadUntil(room: string, seq: number): Promise<boolean> {
    const timeline = this.ctx.store.timelines.get(room);
    if (!timeline) return false;
    for (let round = 0; round < 50; round += 1) {
      const first = timeline.firstSeq;
      if (first !== null && first <= seq) return true;
      if (!timeline.hasOlder) return false;
      await this.loadOlder(room);
      if (timeline.firstSeq === first) return false;
    }
    return false;
  }

  /** Scrolling back: the page before the oldest message held, from the REST cursor. */
  async loadOlder(room: string): Promise<void> {
    const { store, api } = this.ctx;
    const timeline = store.timelines.get(room);
    const before = timeline?.firstSeq;
    if (!timeline?.loaded || !timeline.hasOlder || !before || this.loadingOlder.has(room)) return;
    this.loadingOlder.add(room);
    store.notify('timeline');
    try {
      const page = await api.messagesBefore(room, before, OLDER_PAGE);
      timeline.merge(page.items);
      timeline.hasOlder = page.hasMore && timeline.firstSeq !== 1;
    } catch (err) {
      this.ctx.toast(`Could not load older messages. ${describeError(err)}`);
    } finally {
      this.loadingOlder.delete(room);
      store.notify('timeline');
    }
  }

  /** A message from the room, live: placed by seq, once; a gap behind it triggers a catch-up. */
  receive(message: ChatMessagePayload): void {
    const { store } = this.ctx;
    const entry = store.groups.get(message.room);
    if (!entry) return;
    const isNew = message.seq > entry.group.lastSeq;
    entry.group.lastSeq = Math.max(entry.group.lastSeq, message.seq);
    if (!entry.lastMessage || message.seq > entry.lastMessage.seq) entry.lastMessage = message;
    const timeline = store.timelines.get(message.room);
    if (timeline) {
      timeline.merge([message]);
      if (timeline.loaded && timeline.hasGap()) void this.catchUp(message.room);
    }
    store.typing.stopped(message.room, message.up);
    if (isNew && message.up !== store.me.up && !this.isViewing(message.room)) entry.unread += 1;
    store.notify('groups', 'timeline', 'typing');
    this.readIfViewing(message.room);
  }

  send(room: string, text: string, attachments: AttachmentRef[] = []): string | null {
    if (text.trim() === '') return null;
    // The server's own rule (length in code points, well-formed text), checked before anything is queued.
    const checked = sendMessageRequestSchema.shape.message.safeParse(text);
    if (!checked.success) {
      this.ctx.toast(`This message cannot be sent: it ${checked.error.issues[0]?.message ?? 'is not valid'}.`);
      return null;
    }
    const { store } = this.ctx;
    const clientId = newClientId();
    const timeline = store.timeline(room);
    const answering = store.replyingTo?.room === room ? timeline.find(store.replyingTo.id) : undefined;
    timeline.addPending({
      clientId,
      up: store.me.up,
      message: text,
      timestamp: new Date().toISOString(),
      replyTo: answering ? quoteOf(answering) : null,
      attachments,
    });
    if (store.replyingTo?.room === room) store.replyingTo = null;
    this.typingThrottle.reset(room);
    store.notify('timeline', 'compose');
    void this.deliver(room, clientId);
    return clientId;
  }

  /** Sends (again) with the same clientId: the server stores it at most once. */
  async deliver(room: string, clientId: string): Promise<void> {
    const { store } = this.ctx;
    const timeline = store.timelines.get(room);
    const pending = timeline?.pendingMessage(clientId);
    if (!timeline || !pending || this.sending.has(clientId)) return;
    timeline.markPending(clientId);
    store.notify('timeline');
    const socket = this.ctx.liveSocket();
    if (!socket) return; // Stays queued: sent after the next connect.
    this.sending.add(clientId);
    try {
      const result = await sendChatMessage(socket, {
        up: store.me.up,
        room,
        message: pending.message,
        clientId,
        ...(pending.attachments.length > 0 ? { attachments: pending.attachments.map((a) => a.id) } : {}),
        ...(pending.replyTo ? { replyTo: pending.replyTo.id } : {}),
      });
      this.stored(room, clientId, result);
    } catch (err) {
      // Cut off mid-send: it stays queued and goes out (same clientId) once reconnected.
      if (socket.connected) timeline.markFailed(clientId, describeError(err));
    } finally {
      this.sending.delete(clientId);
      store.notify('timeline', 'groups');
    }
  }

  async sendQueued(): Promise<void> {
    const timelines = [...this.ctx.store.timelines.values()];
    for (const timeline of timelines) {
      for (const clientId of timeline.queued()) await this.deliver(timeline.room, clientId);
    }
  }

  typing(room: string): void {
    const socket = this.ctx.liveSocket();
    if (socket && this.typingThrottle.shouldSend(room, Date.now())) socket.emit('typing', { room });
  }

  private stored(room: string, clientId: string, result: SendMessageResult): void {
    const { store } = this.ctx;
    const timeline = store.timeline(room);
    timeline.acknowledge(clientId, result);
    const entry = store.groups.get(room);
    const message = timeline.messages.find((m) => m.seq === result.seq);
    if (entry && message) {
      entry.group.lastSeq = Math.max(entry.group.lastSeq, result.seq);
      if (!entry.lastMessage || result.seq > entry.lastMessage.seq) entry.lastMessage = message;
    }
    this.readIfViewing(room);
  }

  private isViewing(room: string): boolean {
    return this.ctx.store.openGroup === room && this.atBottom && document.visibilityState === 'visible';
  }

  private groupName(room: string): string {
    return this.ctx.store.groups.get(room)?.group.name ?? 'this group';
  }

  /** Tells the server (and so the others) how far the person has read, when they can see the newest message. */
  readIfViewing(room: string): void {
    const { store } = this.ctx;
    const entry = store.groups.get(room);
    const timeline = store.timelines.get(room);
    const socket = this.ctx.liveSocket();
    if (!entry || !timeline || !socket || !this.isViewing(room) || this.reading.has(room)) return;
    const seq = timeline.lastSeq;
    if (seq <= entry.lastReadSeq) {
      if (entry.unread !== 0 || entry.unreadMentions !== 0) {
        entry.unread = 0;
        entry.unreadMentions = 0;
        store.notify('groups');
      }
      return;
    }
    this.reading.add(room);
    entry.unread = 0;
    // Reading removes the mentions too (the server drops them with the read).
    entry.unreadMentions = 0;
    store.notify('groups');
    let stored = false;
    markRead(socket, room, seq)
      .then((result) => {
        stored = true;
        entry.lastReadSeq = Math.max(entry.lastReadSeq, result.lastReadSeq);
        entry.unread = this.isViewing(room) ? 0 : unreadCount(entry.group.lastSeq, entry.lastReadSeq);
      })
      .catch(() => { /* The next message or scroll tries again. */ })
      .finally(() => {
        this.reading.delete(room);
        store.notify('groups');
        // Messages that arrived while the ack was on its way.
        if (stored && (store.timelines.get(room)?.lastSeq ?? 0) > entry.lastReadSeq) this.readIfViewing(room);
      });
  }
}
