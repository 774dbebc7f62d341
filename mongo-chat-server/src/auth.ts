/** The internal-token guard (DESIGN.md decision 10): only backend services may call the data service. */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@chat/shared';

// Comparing fixed-length digests keeps timingSafeEqual's equal-length rule and hides the token's length.
const digest = (text: string) => crypto.createHash('sha256').update(text).digest();

export function requireInternalToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    const given = req.headers['x-internal-token'];
    if (typeof given === 'string' && crypto.timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    next(new AppError('UNAUTHORIZED', 'missing or wrong internal token'));
  };
}
