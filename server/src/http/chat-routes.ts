/**
 * The public chat REST API (contracts.md): groups, members, history (offset
 * pages and seq cursors), the seed's request bundle, and the location route.
 * Every route needs the caller's token; group routes are for members only.
 */
import { Router } from 'express';
import { z } from 'zod';
import { LIMITS, validate } from '@chat/shared';
import type { ChatMessagePayload } from '@chat/shared';
import type { GroupForUser } from '@chat/contract';
import { currentUser, requireUser } from '../auth/require-user';
import type { ChatContext } from '../context';
import { allGroupsOf } from '../data/client';
import type { GroupOperations } from '../groups/operations';
import { toPayload } from '../history/payload';
import { groupId, upField } from '../sockets/validation';

const intParam = (min: number, max: number) => z.string().regex(/^\d+$/, 'must be a whole number')
  .transform(Number).pipe(z.number().int().min(min).max(max));

const groupName = z.string().trim().min(1).max(LIMITS.groupName);
const createSchema = z.object({ name: groupName, users: z.array(upField).max(LIMITS.groupMembers) });
const renameSchema = z.object({ name: groupName });
const addMembersSchema = z.object({ users: z.array(upField).min(1).max(LIMITS.groupMembers) });
const groupParams = z.object({ group: groupId });
const memberParams = z.object({ group: groupId, up: upField });

const historyQuery = z.object({
  page: intParam(0, 1_000_000).optional(),
  perPage: intParam(1, LIMITS.pageSize).optional(),
  before: intParam(1, Number.MAX_SAFE_INTEGER).optional(),
  after: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: intParam(1, LIMITS.pageSize).optional(),
}).strict().superRefine((q, ctx) => {
  const cursor = q.before !== undefined || q.after !== undefined || q.limit !== undefined;
  if (cursor && (q.page !== undefined || q.perPage !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'use either page/perPage or before/after/limit, not both' });
  }
  if (q.before !== undefined && q.after !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'use before or after, not both' });
  }
});

const bundleQuery = z.object({ perPage: intParam(1, LIMITS.pageSize).optional() }).strict();

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

  router.get('/chat/location', (req, res) => {
    const { up } = currentUser(req);
    const placement = ctx.ownership.placement(up);
    const map = ctx.ownership.map();
    if (placement && map) {
      res.json({ url: placement.url, serverId: placement.serverId, mapVersion: map.version });
      return;
    }
    res.json({ url: ctx.publicUrl, serverId: ctx.serverId, mapVersion: map?.version ?? 0 });
  });

  router.get('/chat/groups', async (req, res) => {
    const mine = await allGroupsOf(ctx.data, currentUser(req).up);
    const items = await mapLimited(mine, 10, async (group) => (
      { ...group, lastMessage: (await newest(group, 1))[0] ?? null }));
    res.json({ items });
  });

  router.post('/chat/groups', async (req, res) => {
    const { name, users } = validate(createSchema, req.body);
    res.status(201).json(await groups.create(currentUser(req).up, name, users));
  });

  router.patch('/chat/groups/:group', async (req, res) => {
    const { group } = validate(groupParams, req.params);
    const { name } = validate(renameSchema, req.body);
    res.json(await groups.rename(currentUser(req).up, group, name));
  });

  router.delete('/chat/groups/:group', async (req, res) => {
    const { group } = validate(groupParams, req.params);
    await groups.remove(currentUser(req).up, group);
    res.status(204).end();
  });

  router.post('/chat/groups/:group/members', async (req, res) => {
    const { group } = validate(groupParams, req.params);
    const { users } = validate(addMembersSchema, req.body);
    res.json(await groups.addMembers(currentUser(req).up, group, users));
  });

  router.delete('/chat/groups/:group/members/:up', async (req, res) => {
    const { group, up } = validate(memberParams, req.params);
    res.json(await groups.removeMember(currentUser(req).up, group, up));
  });

  router.get('/chat/groups/:group/members', async (req, res) => {
    const { group } = validate(groupParams, req.params);
    res.json({ items: await groups.members(currentUser(req).up, group) });
  });

  router.get('/chat/message', async (req, res) => {
    const perPage = validate(bundleQuery, req.query).perPage ?? 20;
    const mine = await allGroupsOf(ctx.data, currentUser(req).up);
    const bundle = await mapLimited(mine, 10, async (group) => ({ group, messages: await newest(group, perPage) }));
    res.json({ groups: bundle });
  });

  router.get('/chat/:group/message', async (req, res) => {
    const { group } = validate(groupParams, req.params);
    const q = validate(historyQuery, req.query);
    await groups.requireMember(group, currentUser(req).up);
    if (q.after !== undefined) {
      const page = await ctx.data.messagesCursor(group, { after: q.after, limit: q.limit ?? 50 });
      res.json({ items: page.items.map(toPayload), hasMore: page.hasMore });
      return;
    }
    // The newest page and pages just before it are recent history: the buffer answers when it holds them.
    if (q.before !== undefined) {
      const page = await ctx.history.before(group, q.before, q.limit ?? 50);
      res.json({ items: page.messages, hasMore: page.hasMore });
      return;
    }
    if (q.limit !== undefined) {
      const slice = await ctx.history.latest(group, q.limit);
      res.json({ items: slice.messages, hasMore: slice.hasMore });
      return;
    }
    const page = await ctx.data.messagesPage(group, q.page ?? 0, q.perPage ?? 50);
    res.json({ ...page, items: page.items.map(toPayload) });
  });

  return router;
}
