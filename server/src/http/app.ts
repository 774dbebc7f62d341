/** The chat server's Express app: CORS, logs, metrics, JSON bodies, routes, the shared error shape. */
import cors from 'cors';
import express from 'express';
import type {
  ErrorRequestHandler, Express, RequestHandler, Router,
} from 'express';
import {
  AppError, errorCodeForStatus, errorHandler, jsonBody, mountDocs, notFound,
} from '@chat/shared';
import { originAllowed } from '../config';
import type { ChatContext } from '../context';

export function createApp(ctx: ChatContext, requestLog: RequestHandler, routers: Router[]): Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip, and so the sign-in limit, counts the client behind a trusted proxy, as sockets do.
  app.set('trust proxy', ctx.trustProxy);
  app.use(requestLog);
  app.use(ctx.metrics.httpTimer);
  app.use(cors({
    origin: (origin, done) => done(null, originAllowed(ctx.config, origin)),
    allowedHeaders: ['authorization', 'content-type'],
    maxAge: 600,
  }));
  app.use(jsonBody(ctx.config.bodyLimit));
  ctx.metrics.mount(app);
  mountDocs(app, 'chatServer');
  routers.forEach((router) => app.use(router));
  app.use(notFound);
  // Express's own client errors (e.g. a path that is not valid percent-encoding: URIError, status 400)
  // carry a 4xx status but no body-parser type; the shared handler would answer them 500.
  const clientErrors: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
    const { status, type } = err as { status?: unknown; type?: unknown };
    if (!(err instanceof AppError) && type === undefined && typeof status === 'number' && status >= 400 && status < 500) {
      next(new AppError(errorCodeForStatus(status), err instanceof URIError ? 'the URL is not valid' : 'the request is not valid'));
      return;
    }
    next(err);
  };
  app.use(clientErrors);
  app.use(errorHandler(ctx.logger));
  return app;
}
