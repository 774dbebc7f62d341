/**
 * The system's two credentials, one implementation for every service: a user's
 * JWT (HS256 `{sub: up, username, sid}`, issued by the chat servers, verified by
 * them and the dispatchers) and the shared internal token between services.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError, LIMITS } from '@chat/contract';
import type { Up } from '@chat/contract';

export interface TokenUser {
  up: Up;
  username: string;
  /** The session the token belongs to (docs/design.md, Sessions); absent in tokens signed outside a sign-in. */
  sid?: string;
}

export interface VerifiedToken extends TokenUser {
  /** Issue and expiry times, in seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

export interface Tokens {
  /** How long a token signed now lives, in seconds. */
  ttlSeconds: number;
  sign: (user: TokenUser) => string;
  /** The token's user, or UNAUTHORIZED (bad signature, expired, wrong algorithm, malformed). */
  verify: (token: unknown) => VerifiedToken;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(LIMITS.up),
  username: z.string(),
  sid: z.string().max(64).optional(),
  iat: z.number(),
  exp: z.number(),
});

/** Verification pins HS256, so `alg: none` and algorithm confusion are refused. */
export function createTokens(secret: string, ttlSeconds = 12 * 3600): Tokens {
  // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) to read it as a
  // public key on every call, which made verifying a third of the dispatcher's work under load.
  const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    ttlSeconds,
    sign: (user) => jwt.sign({ username: user.username, ...(user.sid ? { sid: user.sid } : {}) }, key, {
      algorithm: 'HS256', expiresIn: ttlSeconds, subject: user.up,
    }),
    verify: (token) => {
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw new AppError('UNAUTHORIZED', 'a valid token is required');
      }
      let claims: unknown;
      try {
        claims = jwt.verify(token, key, { algorithms: ['HS256'] });
      } catch (err) {
        const expired = err instanceof jwt.TokenExpiredError;
        throw new AppError('UNAUTHORIZED', expired ? 'the token has expired' : 'a valid token is required');
      }
      const parsed = claimsSchema.safeParse(claims);
      if (!parsed.success) throw new AppError('UNAUTHORIZED', 'a valid token is required');
      const {
        sub, username, sid, iat, exp,
      } = parsed.data;
      return {
        up: sub, username, ...(sid ? { sid } : {}), issuedAt: iat, expiresAt: exp,
      };
    },
  };
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

// Comparing fixed-length digests keeps timingSafeEqual's equal-length rule and hides the token's length.
const digest = (text: string) => crypto.createHash('sha256').update(text).digest();

/** Requires the `x-internal-token` header (docs/design.md, Internal only), compared in constant time. */
export function requireInternalToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, _res, next) => {
    const given = req.get('x-internal-token');
    if (typeof given === 'string' && crypto.timingSafeEqual(digest(given), expectedDigest)) {
      next();
      return;
    }
    next(new AppError('UNAUTHORIZED', 'the internal token is missing or wrong'));
  };
}
