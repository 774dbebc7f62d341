/**
 * The Express stack of every service, in one order: security headers, the
 * request log and timer, CORS where browsers call, health and metrics, then
 * the service's routes (`routes`), then the one error mapping. A service adds
 * only its routes and, before the mapping, translators for its own errors
 * (e.g. database errors into the shared codes).
 */
import cors from 'cors';
import express from 'express';
import type {
  ErrorRequestHandler, Express, RequestHandler,
} from 'express';
import type winston from 'winston';
import type { ServiceMetrics } from '../metrics';
import { errorHandler, notFound } from './error-mapping';
import { healthRoutes } from './health-routes';
import type { HealthOptions } from './health-routes';
import { originAllowed, refuseForeignOrigins } from './origins';
import type { OriginPolicy } from './origins';
import { securityHeaders } from './security-headers';

export const jsonBody = (limit = '64kb'): RequestHandler => express.json({ limit, strict: true });

/** Browser callers: pages on the allowed origins get CORS, others are refused (403). */
export const corsFor = (policy: OriginPolicy, options: cors.CorsOptions = {}): RequestHandler[] => [
  refuseForeignOrigins(policy),
  cors({
    origin: (origin, done) => done(null, originAllowed(policy, origin)),
    maxAge: 600,
    ...options,
  }),
];

export interface ServiceAppOptions {
  logger: winston.Logger;
  /** The request log (requests.log). */
  requests: RequestHandler;
  metrics: ServiceMetrics;
  health: HealthOptions;
  /** Express `trust proxy` (which peers' X-Forwarded-For is believed); default none. */
  trustProxy?: unknown;
  /** Applied to every route, before health (e.g. CORS). */
  before?: RequestHandler[];
  /** Mounts the service's own routes, docs and body parsing. */
  routes: (app: Express) => void;
  /** Error translators run before the shared mapping. */
  errorTranslators?: ErrorRequestHandler[];
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // `a[$ne]=x` stays a key named "a[$ne]" (and fails validation); it never becomes an object.
  app.set('query parser', 'simple');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.use(securityHeaders());
  app.use(options.requests);
  app.use(options.metrics.httpTimer);
  (options.before ?? []).forEach((middleware) => app.use(middleware));
  app.use(healthRoutes(options.health));
  options.metrics.mount(app);
  options.routes(app);
  app.use(notFound);
  (options.errorTranslators ?? []).forEach((translate) => app.use(translate));
  app.use(errorHandler(options.logger));
  return app;
}
