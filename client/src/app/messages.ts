/**
 * The open group's conversation: loading, catching up, scrolling back, sending
 * (with a clientId that makes retries safe), read positions.
 */
import { sendMessageRequestSchema } from '@chat/contract';
import type { AttachmentRef, ChatMessagePayload, SendMessageResult } from '@chat/contract';
import { describeError } from '../api/describe-error';
import { catchUp } from '../logic/catch-up';
import { newClientId } from '../logic/ids';
import { unreadCount } from '../logic/reads';
import { TypingThrottle } from '../logic/typing-throttle';
import { joinRoom, markRead, sendChatMessage } from '../net/socket-calls';
import type { AppContext } from './context';

const OLDER_PAGE = 50;

export class Messages {
  /** Whether the person can see the newest message of the open group (reported by the view). */
  private atBottom = true;

  private readonly catchingUp = new Map<string, Promise<void>>();

  private readonly loadingOlder = new Set<string>();

  private readonly sending = new Set<string>();

  private readonly reading = new Set<string>();

  private readonly typingThrottle = new TypingThrottle();

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

  /** After a (re)connect: every group whose conversation is held, the open one first. */
  async catchUpAll(): Promise<void> {
    const { store } = this.ctx;
    const rooms = [...store.timelines.values()].filter((t) => t.loaded).map((t) => t.room);
    if (store.openGroup && !rooms.includes(store.openGroup)) rooms.push(store.openGroup);
    rooms.sort((a, b) => Number(b === store.openGroup) - Number(a === store.openGroup));
    for (const room of rooms) await this.catchUp(room);
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
    store.timeline(room).addPending({
      clientId, up: store.me.up, message: text, timestamp: new Date().toISOString(), attachments,
    });
    this.typingThrottle.reset(room);
    store.notify('timeline');
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
      if (entry.unread !== 0) {
        entry.unread = 0;
        store.notify('groups');
      }
      return;
    }
    this.reading.add(room);
    entry.unread = 0;
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
