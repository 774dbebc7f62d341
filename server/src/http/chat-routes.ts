/**
 * The public chat REST API: groups, members, history (offset
 * pages and seq cursors), the seed's request bundle, and the location route.
 * Every route needs the caller's token; group routes are for members only.
 */
import { Router } from 'express';
import { DEFAULT_PAGE_SIZE, restContract, route } from '@chat/shared';
import type { ChatMessagePayload } from '@chat/shared';
import type { GroupForUser } from '@chat/contract';
import { toChatMessage } from '@chat/contract';
import { currentUser, requireUser } from '../auth/require-user';
import type { ChatContext } from '../context';
import { allGroupsOf } from '../data/client';
import type { GroupOperations } from '../groups/operations';
import { timelineRoutes } from '../timeline/routes';

const routes = restContract.chatServer;

/** Runs `task` over `items`, `width` at a time (a user's groups, without flooding the data service). */
async function mapLimited<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...await Promise.all(items.slice(i, i + width).map(task)));
  }
  return results;
}

export function chatRoutes(ctx: ChatContext, groups: GroupOperations): Router {
  const router = Router();
  router.use('/chat', requireUser(ctx.tokens));

  const newest = async (group: GroupForUser, limit: number): Promise<ChatMessagePayload[]> => (
    (await ctx.history.latest(group.id, limit)).messages);

  route(router, routes.location)((_input, req) => {
    const { up } = currentUser(req);
    const placement = ctx.ownership.placement(up);
    const map = ctx.ownership.map();
    if (placement && map) {
      return { status: 200, body: { url: placement.url, serverId: placement.serverId, mapVersion: map.version } };
    }
    return { status: 200, body: { url: ctx.publicUrl, serverId: ctx.serverId, mapVersion: map?.version ?? 0 } };
  });

  route(router, routes.listGroups)(async (_input, req) => {
    const mine = await allGroupsOf(ctx.data, currentUser(req).up);
    const items = await mapLimited(mine, 10, async (group) => (
      { ...group, lastMessage: (await newest(group, 1))[0] ?? null }));
    return { status: 200, body: { items } };
  });

  route(router, routes.createGroup)(async ({ body }, req) => (
    { status: 201, body: await groups.create(currentUser(req).up, body.name, body.users) }));

  route(router, routes.renameGroup)(async ({ params, body }, req) => (
    { status: 200, body: await groups.rename(currentUser(req).up, params.group, body.name) }));

  route(router, routes.deleteGroup)(async ({ params }, req) => {
    await groups.remove(currentUser(req).up, params.group);
    return { status: 204 };
  });

  route(router, routes.addMembers)(async ({ params, body }, req) => (
    { status: 200, body: await groups.addMembers(currentUser(req).up, params.group, body.users) }));

  route(router, routes.removeMember)(async ({ params }, req) => (
    { status: 200, body: await groups.removeMember(currentUser(req).up, params.group, params.up) }));

  route(router, routes.listMembers)(async ({ params }, req) => (
    { status: 200, body: { items: await groups.members(currentUser(req).up, params.group) } }));

  route(router, routes.requestBundle)(async ({ query }, req) => {
    const mine = await allGroupsOf(ctx.data, currentUser(req).up);
    const bundle = await mapLimited(mine, 10, async (group) => (
      { group, messages: await newest(group, query.perPage) }));
    return { status: 200, body: { groups: bundle } };
  });

  route(router, routes.history)(async ({ params: { group }, query: q }, req) => {
    await groups.requireMember(group, currentUser(req).up);
    if (q.after !== undefined) {
      const page = await ctx.data.messagesCursor(group, { after: q.after, limit: q.limit ?? DEFAULT_PAGE_SIZE });
      return { status: 200, body: { items: page.items.map(toChatMessage), hasMore: page.hasMore } };
    }
    // The newest page and pages just before it are recent history: the buffer answers when it holds them.
    if (q.before !== undefined) {
      const page = await ctx.history.before(group, q.before, q.limit ?? DEFAULT_PAGE_SIZE);
      return { status: 200, body: { items: page.messages, hasMore: page.hasMore } };
    }
    if (q.limit !== undefined) {
      const slice = await ctx.history.latest(group, q.limit);
      return { status: 200, body: { items: slice.messages, hasMore: slice.hasMore } };
    }
    const page = await ctx.data.messagesPage(group, q.page ?? 0, q.perPage ?? DEFAULT_PAGE_SIZE);
    return { status: 200, body: { ...page, items: page.items.map(toChatMessage) } };
  });

  router.use(timelineRoutes(ctx));
  return router;
}
