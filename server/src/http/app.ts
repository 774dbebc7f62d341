/** The chat server's Express app: the kit's stack with CORS for browsers, docs, JSON bodies and the routes. */
import path from 'node:path';
import type {
  Express, RequestHandler, Router,
} from 'express';
import {
  SWAGGER_PATH, corsFor, createServiceApp, jsonBody, mountDocs,
} from '@chat/shared';
import type { HealthOptions } from '@chat/shared';
import type { ChatContext } from '../context';

export function createApp(
  ctx: ChatContext,
  requestLog: RequestHandler,
  health: HealthOptions,
  routers: Router[],
): Express {
  return createServiceApp({
    logger: ctx.logger,
    requests: requestLog,
    metrics: ctx.metrics,
    // req.ip, and so the sign-in limit, counts the client behind a trusted proxy, as sockets do.
    trustProxy: ctx.trustProxy,
    before: corsFor(ctx.config, { allowedHeaders: ['authorization', 'content-type'] }),
    health,
    routes: (app) => {
      app.use(jsonBody(ctx.config.bodyLimit));
      // The socket events, described from the contract (asyncapi.yaml sits beside swagger.yaml).
      app.get('/docs/asyncapi.yaml', (_req, res) => { res.sendFile(path.join(path.dirname(SWAGGER_PATH), 'asyncapi.yaml')); });
      mountDocs(app, 'chatServer');
      routers.forEach((router) => app.use(router));
    },
  });
}
