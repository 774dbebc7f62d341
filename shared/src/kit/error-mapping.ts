/**
 * The one error mapping of every service's HTTP API: whatever a route, a
 * parser or Express itself throws becomes `{error: {code, message}}` with its
 * status, and nothing internal (a stack trace, a file path) leaks out.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type winston from 'winston';
import { AppError, errorCodeForStatus } from '@chat/contract';
import { createOutageFolding } from './outage-folding';

const RETRY_AFTER_S = 1;

/** What body-parser and Express put on the errors they raise. */
interface HttpErrorLike {
  type?: unknown;
  status?: unknown;
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/** The AppError an error thrown while serving a request stands for. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const { type, status } = (typeof err === 'object' && err !== null ? err : {}) as HttpErrorLike;
  if (type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
  const clientFault = typeof status === 'number' && status >= 400 && status < 500;
  if (clientFault && typeof type === 'string') return new AppError('VALIDATION_FAILED', 'request body is not valid JSON');
  // Express's own client errors carry a 4xx status and no parser type, e.g. a path that is not
  // valid percent-encoding (URIError from decoding the route's parameters).
  if (clientFault) {
    return new AppError(errorCodeForStatus(status), err instanceof URIError ? 'the URL is not valid' : 'the request is not valid');
  }
  return new AppError('INTERNAL', 'internal error');
}

/** Last middleware: every error becomes `{error: {code, message}}`; server faults are logged. */
export function errorHandler(logger: winston.Logger): ErrorRequestHandler {
  const outages = createOutageFolding();
  return (err: unknown, req, res, next) => {
    if (res.headersSent) { next(err); return; }
    const appError = toAppError(err);
    if (appError.status >= 500) {
      const error = err instanceof Error ? err.message : String(err);
      const folded = outages.fold(appError.code === 'UNAVAILABLE' ? `${req.method} ${error}` : null);
      if (folded !== null) {
        logger.error('request failed', {
          method: req.method, path: req.path, code: appError.code, error, ...(folded > 0 ? { folded } : {}),
        });
      }
      // Clients that honour it spread their retries instead of hammering a service that is waiting for a dependency.
      if (appError.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_S));
    }
    res.status(appError.status).json(appError.toBody());
  };
}
