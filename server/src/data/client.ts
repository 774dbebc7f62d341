/**
 * The data service (mongo-chat-server) as typed calls, one per route of its
 * contract. Errors arrive as AppError with the shared codes.
 */
import { restContract } from '@chat/contract';
import type {
  AssignableRole, BatchResult, ChangeResult, ChangesPage, CursorPage, Group, GroupForUser, OffsetPage, ReadPosition,
  OwnReactionsPage, SearchPage, SearchRequest, StoredMessage, Up, User,
} from '@chat/contract';
import { createDataRequest } from './http';
import type { DataHttpOptions } from './http';

/** A message to store; the chat server always names its `clientId` (it assigns one when the sender did not). */
export interface NewMessage {
  group: string;
  from: Up;
  message: string;
  clientId: string;
  /** Ids of files the message carries (docs/attachments.md). */
  attachments?: string[];
  /** The id of a message of the same group this one answers. */
  replyTo?: string;
}

interface EditBody { group: string; by: Up; message: string; clientId?: string }
interface ReactBody { group: string; by: Up; emoji: string; add: boolean }

export interface Cursor {
  before?: number;
  after?: number;
  limit: number;
}

const enc = encodeURIComponent;
/** Each answer is checked against what the contract declares for its route. */
const routes = restContract.dataService;
const userSchema = routes.getUser.responses[200].schema;
const groupSchema = routes.getGroup.responses[200].schema;

export function createDataClient(options: DataHttpOptions) {
  const request = createDataRequest(options);
  return {
    health: () => request('GET', '/health', routes.health.responses[200].schema),

    createUser: (body: { up: Up; username: string; name: string; password: string }): Promise<User> => (
      request('POST', '/user', routes.createUser.responses[201].schema, { body })),
    login: (body: { up?: Up; username?: string; password: string }): Promise<User> => (
      request('POST', '/user/login', routes.login.responses[200].schema, { body, userCredentials: true })),
    getUser: (up: Up): Promise<User> => request('GET', `/user/${enc(up)}`, userSchema),
    usersByUp: (ups: Up[]): Promise<OffsetPage<User>> => request('GET', '/user', routes.listUsers.responses[200].schema, {
      query: { ups: ups.join(','), perPage: Math.max(1, ups.length) },
    }),
    /** Many users online and offline in one call; the lastSeen stored with them. */
    setPresence: (online: Up[], offline: Up[]): Promise<{ lastSeen: string; updated: number }> => (
      request('POST', '/user/presence', routes.setPresence.responses[200].schema, { body: { online, offline } })),

    getGroup: (id: string): Promise<Group> => request('GET', `/group/${enc(id)}`, groupSchema),
    createGroup: (body: { name: string; users: Up[]; createdBy: Up }): Promise<Group> => (
      request('POST', '/group', routes.createGroup.responses[201].schema, { body })),
    // `by`: the member the chat server acts for; the data service checks their role.
    renameGroup: (id: string, name: string, by: Up): Promise<Group> => (
      request('PATCH', `/group/${enc(id)}`, groupSchema, { body: { name }, query: { by } })),
    deleteGroup: (id: string, by: Up): Promise<undefined> => request('DELETE', `/group/${enc(id)}`, null, { query: { by } }),
    addMembers: (id: string, users: Up[], by: Up): Promise<Group> => (
      request('POST', `/group/${enc(id)}/members`, groupSchema, { body: { users }, query: { by } })),
    removeMember: (id: string, up: Up, by: Up): Promise<Group> => (
      request('DELETE', `/group/${enc(id)}/members/${enc(up)}`, groupSchema, { query: { by } })),
    setMemberRole: (id: string, up: Up, role: AssignableRole, by: Up): Promise<Group> => (
      request('PUT', `/group/${enc(id)}/members/${enc(up)}/role`, groupSchema, { body: { role }, query: { by } })),
    transferOwnership: (id: string, to: Up, by: Up): Promise<Group> => (
      request('POST', `/group/${enc(id)}/owner`, groupSchema, { body: { up: to }, query: { by } })),
    membership: (id: string, up: Up): Promise<{ up: Up; lastReadSeq: number }> => (
      request('GET', `/group/${enc(id)}/members/${enc(up)}`, routes.getMembership.responses[200].schema)),
    /** The ids of the groups of up to 100 users, in one call. */
    groupIdsOf: async (ups: Up[]): Promise<Map<Up, string[]>> => {
      const { items } = await request('GET', '/group/ids', routes.groupIdsOfUsers.responses[200].schema, { query: { ups: ups.join(',') } });
      return new Map(items.map((item) => [item.up, item.groups]));
    },
    groupsOfUser: (up: Up, page: number, perPage: number): Promise<OffsetPage<GroupForUser>> => (
      request('GET', `/group/user/${enc(up)}`, routes.groupsOfUser.responses[200].schema, { query: { page, perPage } })),
    markRead: (id: string, up: Up, seq: number): Promise<ReadPosition> => (
      request('PUT', `/group/${enc(id)}/read/${enc(up)}`, routes.markRead.responses[200].schema, { body: { seq } })),

    messagesPage: (group: string, page: number, perPage: number): Promise<OffsetPage<StoredMessage>> => (
      request('GET', '/group/messages', routes.groupMessagesByPage.responses[200].schema, { query: { groupID: group, page, perPage } })),
    messagesCursor: (group: string, cursor: Cursor): Promise<CursorPage<StoredMessage>> => (
      request('GET', `/group/${enc(group)}/messages`, routes.groupMessagesByCursor.responses[200].schema, { query: { ...cursor } })),
    /** Searches exactly `body.groups` (docs/search.md). */
    searchMessages: (body: SearchRequest): Promise<SearchPage> => (
      request('POST', '/message/search', routes.searchMessages.responses[200].schema, { body })),
    editMessage: (id: string, body: EditBody): Promise<ChangeResult> => (
      request('POST', `/message/${enc(id)}/edit`, routes.editMessage.responses[200].schema, { body })),
    deleteMessage: (id: string, body: { group: string; by: Up }): Promise<ChangeResult> => (
      request('POST', `/message/${enc(id)}/delete`, routes.deleteMessage.responses[200].schema, { body })),
    reactToMessage: (id: string, body: ReactBody): Promise<ChangeResult> => (
      request('POST', `/message/${enc(id)}/reactions`, routes.reactToMessage.responses[200].schema, { body })),
    /** The emoji `up` reacted with on each of `messages` of `group` (docs/design.md, Own reactions). */
    reactionsOfUser: (group: string, up: Up, messages: string[]): Promise<OwnReactionsPage> => (
      request('GET', `/group/${enc(group)}/reactions/${enc(up)}`, routes.reactionsOfUser.responses[200].schema, {
        query: { messages: messages.join(',') },
      })),
    /** A group's changed messages after revision `after`, in rev order. */
    changes: (group: string, after: number, limit: number): Promise<ChangesPage<StoredMessage>> => (
      request('GET', `/group/${enc(group)}/changes`, routes.groupChanges.responses[200].schema, { query: { after, limit } })),
    storeMessages: async (messages: NewMessage[]): Promise<BatchResult[]> => {
      const { results } = await request('POST', '/message/batch', routes.storeMessages.responses[200].schema, { body: { messages } });
      return results;
    },
  };
}

export type DataClient = ReturnType<typeof createDataClient>;

/** Every group of a user, page by page (bounded: a user is in at most `maxPages` × 100 groups here). */
export async function allGroupsOf(data: DataClient, up: Up, maxPages = 20): Promise<GroupForUser[]> {
  const perPage = 100;
  const groups: GroupForUser[] = [];
  for (let page = 0; page < maxPages; page += 1) {
    const result = await data.groupsOfUser(up, page, perPage);
    groups.push(...result.items);
    if (result.items.length < perPage || groups.length >= result.total) break;
  }
  return groups;
}
