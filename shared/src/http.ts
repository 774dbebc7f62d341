/**
 * Express plumbing shared by every service: JSON bodies with a size bound,
 * validation that answers in the shared error shape, `/docs`, and the final
 * error handler that never leaks a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import type {
  ErrorRequestHandler, Express, RequestHandler,
} from 'express';
import swaggerUi from 'swagger-ui-express';
import type winston from 'winston';
import YAML from 'yaml';
import type { z } from 'zod';
import { AppError } from '@chat/contract';

/** Parses `value` with `schema`, or throws VALIDATION_FAILED naming the first problem. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new AppError('VALIDATION_FAILED', `${where}${issue ? issue.message : 'invalid input'}`);
}

export const jsonBody = (limit = '64kb'): RequestHandler => express.json({ limit, strict: true });

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

const RETRY_AFTER_S = 1;
const FOLD_WINDOW_MS = 5000;

/**
 * While a dependency is away every request fails the same way, hundreds per
 * second: one line per kind of failure per window, with the number folded into
 * it, keeps the log readable and its cost from adding to the outage.
 */
function createOutageFolding() {
  const seen = new Map<string, { at: number; folded: number }>();
  return {
    /** null: log nothing now; else log, noting this many like it that were not logged. */
    fold(key: string | null): number | null {
      if (key === null) return 0;
      const now = Date.now();
      const last = seen.get(key);
      if (last && now - last.at < FOLD_WINDOW_MS) {
        last.folded += 1;
        return null;
      }
      if (seen.size >= 100) seen.clear();
      seen.set(key, { at: now, folded: 0 });
      return last?.folded ?? 0;
    },
  };
}

/** Last middleware: every error becomes `{error: {code, message}}`. */
export function errorHandler(logger: winston.Logger): ErrorRequestHandler {
  const outages = createOutageFolding();
  return (err: unknown, req, res, next) => {
    if (res.headersSent) { next(err); return; }
    let appError: AppError;
    if (err instanceof AppError) {
      appError = err;
    } else {
      const parserError = err as BodyParserError;
      if (parserError.type === 'entity.too.large') {
        appError = new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
      } else if (parserError.type && parserError.status && parserError.status < 500) {
        appError = new AppError('VALIDATION_FAILED', 'request body is not valid JSON');
      } else {
        appError = new AppError('INTERNAL', 'internal error');
      }
    }
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

/** The repository's swagger.yaml, parsed once. */
export const SWAGGER_PATH = path.resolve(__dirname, '..', '..', 'swagger.yaml');
let swaggerDoc: Record<string, unknown> | undefined;
export function loadSwagger(): Record<string, unknown> {
  if (!swaggerDoc) swaggerDoc = YAML.parse(fs.readFileSync(SWAGGER_PATH, 'utf8')) as Record<string, unknown>;
  return swaggerDoc;
}

/** Serves the API description at `/docs` (UI) and `/docs/swagger.json`. */
export function mountDocs(app: Express): void {
  const doc = loadSwagger();
  app.get('/docs/swagger.json', (_req, res) => { res.json(doc); });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(doc, { customSiteTitle: 'Group chat API' }));
}
