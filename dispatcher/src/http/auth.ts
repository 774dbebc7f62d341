/**
 * The two credentials the dispatcher accepts: a user's JWT on `/chat/location`
 * (HS256 pinned, so `alg: none` and algorithm confusion are refused) and the
 * shared internal token on the registry routes.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';

const claimsSchema = z.object({ sub: z.string().min(1).max(32), username: z.string() });

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

/** The user the request's bearer token names, or UNAUTHORIZED. */
export function verifyUser(secret: string, header: string | undefined): Up {
  const token = bearerToken(header);
  if (!token || token.length > 4096) throw new AppError('UNAUTHORIZED', 'a valid token is required');
  let claims: unknown;
  try {
    claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
  } catch (err) {
    const expired = err instanceof jwt.TokenExpiredError;
    throw new AppError('UNAUTHORIZED', expired ? 'the token has expired' : 'a valid token is required');
  }
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new AppError('UNAUTHORIZED', 'a valid token is required');
  return parsed.data.sub;
}

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/** Requires `x-internal-token`; compared in constant time. */
export function requireInternalToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, _res, next) => {
    const given = req.get('x-internal-token');
    if (typeof given !== 'string' || !crypto.timingSafeEqual(digest(given), expectedDigest)) {
      next(new AppError('UNAUTHORIZED', 'the internal token is missing or wrong'));
      return;
    }
    next();
  };
}
