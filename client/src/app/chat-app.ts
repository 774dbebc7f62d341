/**
 * A signed-in person's chat: the connection, the state, and the socket events
 * routed to the parts that handle them.
 */
import { announceOnline } from '@chat/protocol-client';
import type { ChatApi, Session } from '../api/chat-api';
import { Connection } from '../net/connection';
import type { ChatSocket, ConnectionStatus } from '../net/connection';
import type { ToastKind } from './context';
import { Changes } from './changes';
import { Groups } from './groups';
import { Messages } from './messages';
import { OwnReactionsSync } from './own-reactions-sync';
import { Search } from './search';
import { ChatStore } from './store';

export interface AppCallbacks {
  toast(message: string, kind?: ToastKind): void;
  /** The session ended (`reason` null: the person signed out). */
  signedOut(reason: string | null): void;
}

export class ChatApp {
  readonly store: ChatStore;

  readonly messages: Messages;

  readonly groups: Groups;

  readonly search: Search;
  readonly changes: Changes;

  private readonly connection: Connection;

  /** Asks which reactions are the person's where the messages cannot tell. */
  private readonly ownReactions: OwnReactionsSync;

  private typingTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly cleanups: (() => void)[] = [];

  constructor(readonly api: ChatApi, session: Session, private readonly callbacks: AppCallbacks) {
    api.setToken(session.token, session.refreshToken);
    this.store = new ChatStore(session.user);
    const ctx = {
      store: this.store,
      api,
      liveSocket: () => this.connection.liveSocket,
      toast: (message: string, kind?: ToastKind) => callbacks.toast(message, kind),
    };
    this.messages = new Messages(ctx);
    this.search = new Search(ctx, this.messages);
    this.changes = new Changes(ctx, this.messages);
    this.groups = new Groups(ctx, (room) => this.messages.open(room));
    this.ownReactions = new OwnReactionsSync(ctx);
    this.connection = new Connection({
      locate: () => api.locate(),
      bind: (socket) => this.bind(socket),
      connected: (socket) => this.connected(socket),
      status: (status) => this.statusChanged(status),
      unauthorized: () => this.endSession('Your session has ended. Please sign in again.'),
      renew: () => api.renew(),
    }, { token: () => api.current() });
  }

  /** Tells the person something went wrong (a toast). */
  toastError(message: string): void { this.callbacks.toast(message, 'error'); }

  /** Where and as whom attachments are uploaded and fetched. */
  fileAccess(): { baseUrl: string; token: string } { return this.api.fileAccess(); }

  start(): void {
    void this.groups.refresh();
    this.connection.start();
    const retry = () => this.connection.retryNow();
    const visible = () => { if (document.visibilityState === 'visible') this.messages.viewing(true); };
    window.addEventListener('online', retry);
    document.addEventListener('visibilitychange', visible);
    this.cleanups.push(
      () => window.removeEventListener('online', retry),
      () => document.removeEventListener('visibilitychange', visible),
    );
  }

  retryConnection(): void { this.connection.retryNow(); }

  toast(message: string, kind?: ToastKind): void { this.callbacks.toast(message, kind); }

  /** Signs this session out (on the server too, when it can be reached). */
  signOut(): void {
    this.api.logout().catch(() => { /* the tokens expire by themselves */ });
    this.endSession(null);
  }

  /** The account page's calls: profile and password. */
  get account(): Pick<ChatApi, 'updateProfile' | 'changePassword'> { return this.api; }

  /** Signs every session out, this one included (its socket is closed first, so it ends here, not by the server). */
  async signOutEverywhere(): Promise<void> {
    this.connection.stop();
    try {
      await this.api.logoutEverywhere();
    } catch (err) {
      this.connection.start();
      throw err;
    }
    this.endSession('You signed out everywhere.');
  }

  private endSession(reason: string | null): void {
    this.connection.stop();
    this.cleanups.splice(0).forEach((cleanup) => cleanup());
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.callbacks.signedOut(reason);
  }

  private statusChanged(status: ConnectionStatus): void {
    this.store.connection = status;
    // What each group held when the connection dropped: where the resume after the reconnect starts.
    if (status.state !== 'online' && status.state !== 'catching-up') this.store.timelines.forEach((t) => t.pause());
    // REST follows the socket to its server; while there is none, the configured API server answers.
    this.api.useChatServer(status.state === 'online' || status.state === 'catching-up' ? status.url ?? undefined : undefined);
    this.store.notify('connection', 'timeline', 'members');
  }

  private async connected(socket: ChatSocket): Promise<void> {
    announceOnline(socket, this.store.me.up).catch(() => { /* presence also follows the connection itself */ });
    await Promise.all([this.groups.refresh(), this.messages.catchUpAll()]);
    await this.messages.sendQueued();
  }

  private bind(socket: ChatSocket): void {
    socket.on('chat message', (message) => this.messages.receive(message));
    socket.on('message updated', (message) => this.messages.changed(message));
    socket.on('mentioned', ({ room, up }) => this.messages.mentioned(room, up));
    socket.on('presence', (batch) => this.groups.presence(batch));
    socket.on('typing', ({ room, up }) => this.someoneTyping(room, up));
    socket.on('read', ({ room, up, seq }) => this.someoneRead(room, up, seq));
    socket.on('group created', (group) => this.groups.created(group));
    socket.on('group updated', (group) => this.groups.updated(group));
    socket.on('group deleted', ({ room }) => this.groups.deleted(room));
    socket.on('member joined', ({ room, up }) => this.groups.joined(room, up));
    socket.on('member left', ({ room, up }) => this.groups.left(room, up));
    socket.on('member role', (change) => this.groups.roleChanged(change));
  }

  private someoneTyping(room: string, up: string): void {
    if (up === this.store.me.up) return;
    this.store.typing.seen(room, up, Date.now());
    this.store.notify('typing');
    this.scheduleTypingRefresh();
  }

  /** Redraws the typing line when the next "is typing" expires. */
  private scheduleTypingRefresh(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    const next = this.store.typing.nextExpiry(Date.now());
    if (next === null) return;
    this.typingTimer = setTimeout(() => {
      this.typingTimer = null;
      this.store.notify('typing');
      this.scheduleTypingRefresh();
    }, next - Date.now() + 20);
  }

  private someoneRead(room: string, up: string, seq: number): void {
    if (up !== this.store.me.up) {
      if (this.store.reads.record(room, up, seq)) this.store.notify('reads', 'timeline');
      return;
    }
    // The person read it on another device or tab.
    const entry = this.store.groups.get(room);
    if (!entry || seq <= entry.lastReadSeq) return;
    entry.lastReadSeq = seq;
    entry.unread = Math.min(entry.unread, Math.max(0, entry.group.lastSeq - seq));
    if (entry.unread === 0) entry.unreadMentions = 0;
    this.store.notify('groups');
  }
}
