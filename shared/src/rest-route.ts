/**
 * Registers an Express handler for a route the contract declares: params,
 * query and body are parsed with the contract's schemas (400
 * VALIDATION_FAILED in the shared shape when they do not fit), and the
 * handler must answer one of the route's declared responses, which the
 * compiler checks.
 */
import type {
  Request, RequestHandler, Response, Router,
} from 'express';
import type { RouteContract, RouteInput, RouteReply } from '@chat/contract';
import { validate } from './http';

export type RouteHandler<R extends RouteContract> = (
  input: RouteInput<R>, req: Request, res: Response,
) => Promise<RouteReply<R>> | RouteReply<R>;

/** `/group/{id}` → `/group/:id`. */
export const expressPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

/** Parses what a request carries with the route's schemas; parts the route does not declare are left out. */
export function parseRequest<R extends RouteContract>(contract: R, req: Request): RouteInput<R> {
  // With no body at all (no JSON content type), a declared body is checked as an empty object.
  const body: unknown = req.body ?? {};
  return {
    params: contract.params ? validate(contract.params, { ...req.params }) : undefined,
    query: contract.query ? validate(contract.query, { ...req.query }) : undefined,
    body: contract.body ? validate(contract.body, body) : undefined,
  } as RouteInput<R>;
}

export function sendReply<R extends RouteContract>(res: Response, reply: RouteReply<R>): void {
  res.status(reply.status);
  if (reply.body === undefined) res.end();
  else res.json(reply.body);
}

/**
 * `route(router, contract, ...before)(handler)` registers `handler` for the
 * declared route on `router`, after `before` (authentication, rate limits).
 * Two calls, so that the route is fixed before the handler is checked against it.
 */
export function route<R extends RouteContract>(router: Router, contract: R, ...before: RequestHandler[]) {
  return (handler: RouteHandler<R>): void => {
    const run: RequestHandler = async (req, res) => {
      sendReply(res, await handler(parseRequest(contract, req), req, res));
    };
    router[contract.method](expressPath(contract.path), ...before, run);
  };
}
