/** Bearer-token authentication for the public REST routes. */
import type { Request, RequestHandler } from 'express';
import { AppError, bearerToken } from '@chat/shared';
import type { TokenUser, Tokens } from '@chat/shared';

const users = new WeakMap<Request, TokenUser>();

export const requireUser = (tokens: Tokens): RequestHandler => (req, _res, next) => {
  const token = bearerToken(req.get('authorization'));
  if (!token) { next(new AppError('UNAUTHORIZED', 'a bearer token is required')); return; }
  users.set(req, tokens.verify(token));
  next();
};

/** The caller of a route behind requireUser. */
export function currentUser(req: Request): TokenUser {
  const user = users.get(req);
  if (!user) throw new AppError('UNAUTHORIZED', 'a bearer token is required');
  return user;
}
