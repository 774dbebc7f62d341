/**
 * GET /chat/search (docs/search.md): the caller's groups are read from the
 * data service when the query arrives (no cache), so a group the caller has
 * left or was removed from is never searched; only those groups are passed on.
 */
import { Router } from 'express';
import { AppError, restContract, route } from '@chat/shared';
import { toChatSearchHit } from '@chat/contract';
import { currentUser, requireUser } from '../auth/require-user';
import type { ChatContext } from '../context';
import { createSearchGate } from './search-gate';

export function searchRoutes(ctx: Pick<ChatContext, 'data' | 'tokens' | 'sessions' | 'limiters'>): Router {
  const router = Router();
  const gate = createSearchGate();
  router.use('/chat/search', requireUser(ctx));

  route(router, restContract.chatServer.search)(async ({ query }, req) => gate.run(currentUser(req).up, async () => {
    const { up } = currentUser(req);
    const mine = (await ctx.data.groupIdsOf([up])).get(up) ?? [];
    if (query.group !== undefined && !mine.includes(query.group)) {
      throw new AppError('FORBIDDEN', 'you are not a member of this group');
    }
    const page = await ctx.data.searchMessages({
      q: query.q, groups: query.group === undefined ? mine : [query.group], cursor: query.cursor, limit: query.limit,
    });
    return { status: 200 as const, body: { ...page, items: page.items.map(toChatSearchHit) } };
  }));

  return router;
}
