/** The timeline's public REST routes: edit, delete, reactions (and the caller's own), a group's changes. Members only. */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import { currentUser } from '../auth/require-user';
import type { ChatContext } from '../context';

const routes = restContract.chatServer;

/** Mounted inside the `/chat` router, behind its token check. */
export function timelineRoutes(ctx: ChatContext): Router {
  const router = Router();
  const { timeline } = ctx;

  route(router, routes.editMessage)(async ({ params, body }, req) => {
    const { up } = currentUser(req);
    await ctx.membership.require(params.group, up);
    return { status: 200, body: await timeline.edit(up, params.group, params.id, body.message, body.clientId) };
  });

  route(router, routes.deleteMessage)(async ({ params }, req) => {
    const { up } = currentUser(req);
    await ctx.membership.require(params.group, up);
    return { status: 200, body: await timeline.remove(up, params.group, params.id) };
  });

  route(router, routes.addReaction)(async ({ params }, req) => {
    const { up } = currentUser(req);
    await ctx.membership.require(params.group, up);
    return { status: 200, body: await timeline.react(up, params.group, params.id, params.emoji, true) };
  });

  route(router, routes.removeReaction)(async ({ params }, req) => {
    const { up } = currentUser(req);
    await ctx.membership.require(params.group, up);
    return { status: 200, body: await timeline.react(up, params.group, params.id, params.emoji, false) };
  });

  route(router, routes.myReactions)(async ({ params, query }, req) => {
    const { up } = currentUser(req);
    await ctx.membership.require(params.group, up);
    return { status: 200, body: await ctx.data.reactionsOfUser(params.group, up, query.messages) };
  });

  route(router, routes.changes)(async ({ params, query }, req) => {
    await ctx.membership.require(params.group, currentUser(req).up);
    return { status: 200, body: await timeline.changesSince(params.group, query.after, query.limit) };
  });

  return router;
}
