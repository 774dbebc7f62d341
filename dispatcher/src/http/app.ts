/** The dispatcher's express app: the kit's stack, with docs, placement and the registry. */
import type express from 'express';
import type { Express } from 'express';
import type winston from 'winston';
import {
  AppError, createServiceApp, jsonBody, mountDocs,
} from '@chat/shared';
import type { Check, PlacementMap } from '@chat/shared';
import type { DispatcherMetrics } from '../metrics';
import { locationRouter } from './location';
import { registryRouter } from './registry';
import type { RegistryDeps } from './registry';

export interface AppDeps extends RegistryDeps {
  logger: winston.Logger;
  requests: express.RequestHandler;
  metrics: DispatcherMetrics;
}

export function createApp(deps: AppDeps): Express {
  const { store } = deps;
  const redisCheck = async (): Promise<Check> => {
    if (store.kind !== 'redis') return 'disabled';
    return (await store.ping()) ? 'ok' : 'down';
  };
  // An unexpected failure while the store is unreachable is an outage to retry: 503, not 500.
  const storeOutage: express.ErrorRequestHandler = (err, _req, _res, next) => {
    if (err instanceof AppError) { next(err); return; }
    store.ping().then((up) => {
      next(up ? err : new AppError('UNAVAILABLE', 'the registry store is unreachable; retry shortly'));
    }, () => next(err));
  };
  return createServiceApp({
    logger: deps.logger,
    requests: deps.requests,
    metrics: deps.metrics,
    trustProxy: 'loopback',
    health: { service: 'dispatcher', checks: { redis: redisCheck } },
    routes: (app) => {
      mountDocs(app, 'dispatcher');
      app.use(jsonBody(deps.config.bodyLimit));
      app.use(locationRouter(deps.config, (): PlacementMap => deps.cache.current()));
      app.use(registryRouter(deps));
    },
    errorTranslators: [storeOutage],
  });
}
