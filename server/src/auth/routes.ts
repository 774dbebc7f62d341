/**
 * Accounts: register and log in (the data service hashes and checks the
 * password; this server never sees a hash), each opening a session
 * (docs/design.md, Sessions); `me`. Register and login are rate-limited per
 * IP, and failed logins per account too; a failed login is an audit line.
 */
import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import {
  AppError, audit, restContract, route,
} from '@chat/shared';
import type { LoginRequest } from '@chat/shared';
import type { ChatContext } from '../context';
import { openSession } from './account-routes';
import { currentUser, requireUser } from './require-user';

const routes = restContract.chatServer;

/** The account a login names, as the per-account limit counts it. */
const accountOf = (body: LoginRequest) => (body.up !== undefined ? `up:${body.up}` : `name:${(body.username ?? '').toLowerCase()}`);

export function authRoutes(ctx: ChatContext): Router {
  const router = Router();
  // Express's req.ip honours TRUST_PROXY (http/app.ts).
  const ipOf = (req: Request) => req.ip ?? 'unknown';
  const limited: RequestHandler = (req, _res, next) => {
    ctx.limiters.auth.consume(ipOf(req)).then(() => next(), next);
  };

  route(router, routes.register, limited)(async ({ body }) => (
    { status: 201, body: await openSession(ctx, await ctx.data.createUser(body)) }));

  route(router, routes.login, limited)(async ({ body }, req) => {
    const account = accountOf(body);
    try {
      await ctx.limiters.account.check(account);
      const user = await ctx.data.login(body);
      return { status: 200, body: await openSession(ctx, user) };
    } catch (err) {
      if (err instanceof AppError && (err.code === 'UNAUTHORIZED' || err.code === 'RATE_LIMITED')) {
        if (err.code === 'UNAUTHORIZED') await ctx.limiters.account.fail(account);
        audit(ctx.logger, {
          event: 'auth.login',
          actor: null,
          target: account,
          outcome: err.code === 'UNAUTHORIZED' ? 'failure' : 'refused',
          ip: ipOf(req),
        });
      }
      throw err;
    }
  });

  route(router, routes.me, requireUser(ctx))(async (_input, req) => (
    { status: 200, body: { user: await ctx.data.getUser(currentUser(req).up) } }));

  return router;
}
