/** The public REST routes of a chat server and the dispatcher, typed by the contracts. */
import type {
  ChatMessagePayload, CursorPage, Group, GroupForUser, User,
} from '@chat/contract';
import { ApiError } from './api-error';
import { requestJson } from './http';
import type { RequestOptions } from './http';

export interface Session { token: string; user: User }
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

export class ChatApi {
  /** Where /chat/* calls go: the chat server the socket was placed on, once known. */
  private chatBase: string;

  constructor(private readonly apiUrl: string, private readonly dispatcherUrl: string, private token = '') {
    this.chatBase = apiUrl;
  }

  setToken(token: string): void { this.token = token; }

  useChatServer(url: string | undefined): void { this.chatBase = url ?? this.apiUrl; }

  /** Where and as whom file uploads and downloads go (they are not JSON calls: see files.ts). */
  fileAccess(): { baseUrl: string; token: string } { return { baseUrl: this.chatBase, token: this.token }; }

  private chat(method: string, path: string, options: Omit<RequestOptions, 'token'> = {}): Promise<unknown> {
    return requestJson(this.chatBase, method, path, { ...options, token: this.token });
  }

  async register(body: RegisterRequest): Promise<Session> {
    return expectShape(await requestJson(this.apiUrl, 'POST', '/auth/register', { body }), isSession, 'register');
  }

  async login(body: LoginRequest): Promise<Session> {
    return expectShape(await requestJson(this.apiUrl, 'POST', '/auth/login', { body }), isSession, 'login');
  }

  async me(): Promise<User> {
    const body = await requestJson(this.apiUrl, 'GET', '/auth/me', { token: this.token });
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
      const body = await requestJson(this.dispatcherUrl, 'GET', '/chat/location', { token: this.token, timeoutMs: 5000 });
      return expectShape(body, isPlacement, 'location');
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'NETWORK') throw err;
      const body = await requestJson(this.apiUrl, 'GET', '/chat/location', { token: this.token, timeoutMs: 5000 });
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
}
