/** The dispatcher's express app: operations, docs, placement and the registry, in the shared error shape. */
import express from 'express';
import type { Express } from 'express';
import type winston from 'winston';
import {
  AppError, errorHandler, jsonBody, mountDocs, notFound,
} from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import type { DispatcherMetrics } from '../metrics';
import { locationRouter } from './location';
import { operationsRouter } from './operations';
import { registryRouter } from './registry';
import type { RegistryDeps } from './registry';

export interface AppDeps extends RegistryDeps {
  logger: winston.Logger;
  requests: express.RequestHandler;
  metrics: DispatcherMetrics;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(deps.requests);
  app.use(deps.metrics.httpTimer);
  app.use(operationsRouter(deps.store));
  deps.metrics.mount(app);
  mountDocs(app, 'dispatcher');
  app.use(jsonBody(deps.config.bodyLimit));
  app.use(locationRouter(deps.config, (): PlacementMap => deps.cache.current()));
  app.use(registryRouter(deps));
  app.use(notFound);
  // An unexpected failure while the store is unreachable is an outage to retry: 503, not 500.
  const storeOutage: express.ErrorRequestHandler = (err, _req, _res, next) => {
    if (err instanceof AppError) { next(err); return; }
    deps.store.ping().then((up) => {
      next(up ? err : new AppError('UNAVAILABLE', 'the registry store is unreachable; retry shortly'));
    }, () => next(err));
  };
  app.use(storeOutage);
  app.use(errorHandler(deps.logger));
  return app;
}
