/**
 * The user's token (contracts.md): HS256 JWT `{sub: up, username}` with an
 * expiry. Verification pins the algorithm, so `alg: none` and RS/HS confusion
 * are refused.
 */
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';

export interface TokenUser {
  up: Up;
  username: string;
}

const claimsSchema = z.object({ sub: z.string().min(1), username: z.string() });

export interface Tokens {
  sign: (user: TokenUser) => string;
  /** The token's user, or UNAUTHORIZED (bad signature, expired, wrong algorithm, malformed). */
  verify: (token: unknown) => TokenUser;
}

export function createTokens(secret: string, ttlSeconds: number): Tokens {
  return {
    sign: (user) => jwt.sign({ username: user.username }, secret, {
      algorithm: 'HS256', expiresIn: ttlSeconds, subject: user.up,
    }),
    verify: (token) => {
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw new AppError('UNAUTHORIZED', 'a valid token is required');
      }
      let claims: unknown;
      try {
        claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
      } catch (err) {
        const expired = err instanceof jwt.TokenExpiredError;
        throw new AppError('UNAUTHORIZED', expired ? 'the token has expired' : 'a valid token is required');
      }
      const parsed = claimsSchema.safeParse(claims);
      if (!parsed.success) throw new AppError('UNAUTHORIZED', 'a valid token is required');
      return { up: parsed.data.sub, username: parsed.data.username };
    },
  };
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}
