/**
 * Accounts: register and log in (the data service hashes and checks the
 * password; this server never sees a hash) and get a token; `me`.
 * Register and login are rate-limited per IP.
 */
import { Router } from 'express';
import type { RequestHandler } from 'express';
import { restContract, route } from '@chat/shared';
import type { User } from '@chat/shared';
import type { ChatContext } from '../context';
import { currentUser, requireUser } from './require-user';

const routes = restContract.chatServer;

export function authRoutes(ctx: ChatContext): Router {
  const router = Router();
  const withToken = (user: User) => ({
    token: ctx.tokens.sign({ up: user.up, username: user.username }),
    user,
  });
  const limited: RequestHandler = (req, _res, next) => {
    ctx.limiters.auth.consume(req.ip ?? 'unknown').then(() => next(), next);
  };

  route(router, routes.register, limited)(async ({ body }) => (
    { status: 201, body: withToken(await ctx.data.createUser(body)) }));

  route(router, routes.login, limited)(async ({ body }) => (
    { status: 200, body: withToken(await ctx.data.login(body)) }));

  route(router, routes.me, requireUser(ctx.tokens))(async (_input, req) => (
    { status: 200, body: { user: await ctx.data.getUser(currentUser(req).up) } }));

  return router;
}
