/**
 * Bearer-token authentication for the public REST routes: a valid access
 * token whose session is not signed out (auth/sessions.ts), and the caller's
 * per-user REST rate.
 */
import type { Request, RequestHandler } from 'express';
import { AppError, bearerToken } from '@chat/shared';
import type { VerifiedToken } from '@chat/shared';
import type { ChatContext } from '../context';

const users = new WeakMap<Request, VerifiedToken>();

export const requireUser = (ctx: Pick<ChatContext, 'tokens' | 'sessions' | 'limiters'>): RequestHandler => (req, _res, next) => {
  // Routers mounted one after another may each guard a path: check and count a request once.
  if (users.has(req)) { next(); return; }
  const token = bearerToken(req.get('authorization'));
  if (!token) { next(new AppError('UNAUTHORIZED', 'a bearer token is required')); return; }
  (async () => {
    const user = ctx.tokens.verify(token);
    await ctx.sessions.check(user);
    await ctx.limiters.rest.consume(user.up);
    users.set(req, user);
  })().then(() => next(), next);
};

/** The caller of a route behind requireUser. */
export function currentUser(req: Request): VerifiedToken {
  const user = users.get(req);
  if (!user) throw new AppError('UNAUTHORIZED', 'a bearer token is required');
  return user;
}
