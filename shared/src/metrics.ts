/**
 * Prometheus metrics (prom-client) every service exposes at `/metrics`: HTTP
 * latency by route and errors by code (REST answers counted here; socket acks
 * by the chat server); each service adds its own on `registry`.
 */
import type { Express, RequestHandler } from 'express';
import client from 'prom-client';
import { errorCodeForStatus } from '@chat/contract';

export interface ServiceMetrics {
  registry: client.Registry;
  /** Times every request, labelled by route pattern (not raw path, to bound cardinality). */
  httpTimer: RequestHandler;
  errors: client.Counter<'code'>;
  mount: (app: Express) => void;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new client.Counter({
    name: 'errors_total',
    help: 'Errors answered, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const httpTimer: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.once('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
      if (res.statusCode >= 400) errors.inc({ code: errorCodeForStatus(res.statusCode) });
    });
    next();
  };
  const mount = (app: Express) => {
    app.get('/metrics', async (_req, res) => {
      res.set('Content-Type', registry.contentType);
      res.send(await registry.metrics());
    });
  };
  return {
    registry, httpTimer, errors, mount,
  };
}
