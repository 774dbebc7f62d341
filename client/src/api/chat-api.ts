/** The public REST routes of a chat server and the dispatcher, typed by the contracts. */
import type {
  AssignableRole, ChatMessagePayload, ChatSearchPage, CursorPage, Group, GroupForUser, OwnReactionsPage, User,
} from '@chat/contract';
import { ApiError } from './api-error';
import { requestJson, withRenewal } from './http';
import type { RequestOptions, TokenSource } from './http';

/** A sign-in: the access token, the refresh token that renews it (rotated on each use), the user. */
export interface Session { token: string; refreshToken?: string; user: User }
export interface Placement { url: string; serverId: string; mapVersion?: number }
export type GroupListItem = GroupForUser & { lastMessage: ChatMessagePayload | null };
export type LoginRequest = ({ up: string } | { username: string }) & { password: string };
export interface RegisterRequest { up: string; username: string; name: string; password: string }

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The backend is ours and typed by contract; this guards against answering the wrong URL (an HTML page, a proxy). */
function expectShape<T>(value: unknown, check: (v: Record<string, unknown>) => boolean, what: string): T {
  if (isObject(value) && check(value)) return value as T;
  throw new ApiError('INTERNAL', `unexpected answer for ${what}`);
}

const hasItems = (v: Record<string, unknown>) => Array.isArray(v.items);
const isSession = (v: Record<string, unknown>) => typeof v.token === 'string' && isObject(v.user);
const isGroup = (v: Record<string, unknown>) => typeof v.id === 'string' && Array.isArray(v.users);

export class ChatApi implements TokenSource {
  /** Where /chat/* calls go: the chat server the socket was placed on, once known. */
  private chatBase: string;

  private refreshToken: string | null = null;

  private renewing: Promise<boolean> | null = null;

  /** Told of every renewed session (to keep it across a reload). */
  onRenewed: ((tokens: { token: string; refreshToken: string }) => void) | null = null;

  constructor(private readonly apiUrl: string, private readonly dispatcherUrl: string, private token = '') {
    this.chatBase = apiUrl;
  }

  setToken(token: string, refreshToken?: string): void {
    this.token = token;
    if (refreshToken !== undefined) this.refreshToken = refreshToken;
  }

  current(): string { return this.token; }

  /** New tokens from the refresh token (one renewal at a time); false when the session is over. */
  renew(): Promise<boolean> {
    const { refreshToken } = this;
    if (refreshToken === null) return Promise.resolve(false);
    this.renewing ??= (async () => {
      try {
        const body = await requestJson(this.apiUrl, 'POST', '/auth/refresh', { body: { refreshToken } });
        const renewed = expectShape<Required<Session>>(body, (v) => isSession(v) && typeof v.refreshToken === 'string', 'refresh');
        this.setToken(renewed.token, renewed.refreshToken);
        this.onRenewed?.({ token: renewed.token, refreshToken: renewed.refreshToken });
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'UNAUTHORIZED') {
          this.refreshToken = null;
          return false;
        }
        throw err;
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }

  useChatServer(url: string | undefined): void { this.chatBase = url ?? this.apiUrl; }

  /** Where and as whom file uploads and downloads go (they are not JSON calls: see files.ts). */
  fileAccess(): { baseUrl: string; token: string } { return { baseUrl: this.chatBase, token: this.token }; }

  private chat(method: string, path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<unknown> {
    return withRenewal(this, (token) => requestJson(this.chatBase, method, path, { ...options, token }));
  }

  private account(method: string, path: string, body?: unknown): Promise<unknown> {
    return withRenewal(this, (token) => requestJson(this.apiUrl, method, path, { body, token }));
  }

  /** Edits the profile; the fresh token names the new username. */
  async updateProfile(changes: { name?: string; username?: string }): Promise<User> {
    const body = expectShape<Session>(await this.account('PATCH', '/auth/me', changes), isSession, 'profile');
    this.token = body.token;
    return body.user;
  }

  /** Changes the password; every other session is signed out, this one goes on. */
  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    const body = expectShape<Session>(await this.account('POST', '/auth/password', { oldPassword, newPassword }), isSession, 'password');
    this.token = body.token;
  }

  /** Signs this session out on the server (its tokens stop working everywhere). */
  async logout(): Promise<void> {
    await requestJson(this.apiUrl, 'POST', '/auth/logout', { token: this.token });
  }

  async logoutEverywhere(): Promise<void> {
    await this.account('POST', '/auth/logout-all');
  }

  /** A /chat call as the signed-in user, on their chat server (for features with their own module). */
  chatCall(method: string, path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<unknown> {
    return this.chat(method, path, options);
  }

  async register(body: RegisterRequest): Promise<Session> {
    return expectShape(await requestJson(this.apiUrl, 'POST', '/auth/register', { body }), isSession, 'register');
  }

  async login(body: LoginRequest): Promise<Session> {
    return expectShape(await requestJson(this.apiUrl, 'POST', '/auth/login', { body }), isSession, 'login');
  }

  async me(): Promise<User> {
    const body = await withRenewal(this, (token) => requestJson(this.apiUrl, 'GET', '/auth/me', { token }));
    return expectShape<{ user: User }>(body, (v) => isObject(v.user), 'me').user;
  }

  /**
   * The chat server this user belongs on. The dispatcher answers; a chat server
   * running without one answers for itself, so it is the fallback when the
   * dispatcher cannot be reached.
   */
  async locate(): Promise<Placement> {
    const isPlacement = (v: Record<string, unknown>) => typeof v.url === 'string';
    try {
      const body = await withRenewal(this, (token) => requestJson(this.dispatcherUrl, 'GET', '/chat/location', { token, timeoutMs: 5000 }));
      return expectShape(body, isPlacement, 'location');
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'NETWORK') throw err;
      const body = await withRenewal(this, (token) => requestJson(this.apiUrl, 'GET', '/chat/location', { token, timeoutMs: 5000 }));
      return expectShape(body, isPlacement, 'location');
    }
  }

  async groups(): Promise<GroupListItem[]> {
    return expectShape<{ items: GroupListItem[] }>(await this.chat('GET', '/chat/groups'), hasItems, 'groups').items;
  }

  async createGroup(name: string, users: string[]): Promise<Group> {
    return expectShape(await this.chat('POST', '/chat/groups', { body: { name, users } }), isGroup, 'create group');
  }

  async renameGroup(group: string, name: string): Promise<Group> {
    return expectShape(await this.chat('PATCH', `/chat/groups/${encodeURIComponent(group)}`, { body: { name } }), isGroup, 'rename');
  }

  async deleteGroup(group: string): Promise<void> {
    await this.chat('DELETE', `/chat/groups/${encodeURIComponent(group)}`);
  }

  async addMembers(group: string, users: string[]): Promise<Group> {
    const path = `/chat/groups/${encodeURIComponent(group)}/members`;
    return expectShape(await this.chat('POST', path, { body: { users } }), isGroup, 'add members');
  }

  async removeMember(group: string, up: string): Promise<Group> {
    const path = `/chat/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(up)}`;
    return expectShape(await this.chat('DELETE', path), isGroup, 'remove member');
  }

  /** Promote to admin or demote to member (owners and admins). */
  async setRole(group: string, up: string, role: AssignableRole): Promise<Group> {
    const path = `/chat/${encodeURIComponent(group)}/members/${encodeURIComponent(up)}/role`;
    return expectShape(await this.chat('PUT', path, { body: { role } }), isGroup, 'change role');
  }

  /** Hand the group to another member (the owner only). */
  async transferOwnership(group: string, up: string): Promise<Group> {
    const path = `/chat/${encodeURIComponent(group)}/owner`;
    return expectShape(await this.chat('POST', path, { body: { up } }), isGroup, 'transfer ownership');
  }

  async members(group: string): Promise<User[]> {
    const path = `/chat/groups/${encodeURIComponent(group)}/members`;
    return expectShape<{ items: User[] }>(await this.chat('GET', path), hasItems, 'members').items;
  }

  /** Scrolling back: the `limit` messages before `before`, ascending by seq. */
  async messagesBefore(group: string, before: number, limit = 50): Promise<CursorPage<ChatMessagePayload>> {
    const path = `/chat/${encodeURIComponent(group)}/message`;
    return expectShape(await this.chat('GET', path, { query: { before, limit } }), hasItems, 'history');
  }

  /** Catching up: the `limit` messages after `after`, ascending by seq. */
  async messagesAfter(group: string, after: number, limit = 100): Promise<CursorPage<ChatMessagePayload>> {
    const path = `/chat/${encodeURIComponent(group)}/message`;
    return expectShape(await this.chat('GET', path, { query: { after, limit } }), hasItems, 'history');
  }

  /** The emoji the caller reacted with on each of `ids` (at most 100) of `group`. */
  async myReactions(group: string, ids: string[]): Promise<OwnReactionsPage> {
    const path = `/chat/${encodeURIComponent(group)}/reactions/mine`;
    return expectShape(await this.chat('GET', path, { query: { messages: ids.join(',') } }), hasItems, 'own reactions');
  }

  /** Search in the caller's groups (or one); `cursor` is the previous page's `nextCursor`. */
  async search(q: string, options: { group?: string; cursor?: string } = {}): Promise<ChatSearchPage> {
    const query: Record<string, string> = { q };
    if (options.group) query.group = options.group;
    if (options.cursor) query.cursor = options.cursor;
    return expectShape(await this.chat('GET', '/chat/search', { query }), hasItems, 'search');
  }
}
