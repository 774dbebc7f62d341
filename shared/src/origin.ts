/**
 * The browser-origin allow-list on REST. CORS alone only hides the answer from
 * a foreign page; the request still runs. A browser always names the page's
 * origin on a cross-origin call, so a call whose Origin is not allowed is
 * refused before it does anything. Calls without an Origin (curl, apps,
 * servers: nothing a foreign page can make a browser send) and calls from the
 * service's own pages (its /docs) pass.
 */
import type { Request, RequestHandler } from 'express';
import { AppError } from '@chat/contract';

const sameOrigin = (origin: string, req: Request): boolean => {
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
};

export function refuseForeignOrigins(allowed: (origin: string) => boolean): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || allowed(origin) || sameOrigin(origin, req)) {
      next();
      return;
    }
    next(new AppError('FORBIDDEN', 'this origin is not allowed to call the API (see CORS_ORIGINS)'));
  };
}
