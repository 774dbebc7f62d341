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
import { AppError } from './errors';

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

/** Last middleware: every error becomes `{error: {code, message}}`. */
export function errorHandler(logger: winston.Logger): ErrorRequestHandler {
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
      logger.error('request failed', {
        method: req.method,
        path: req.path,
        code: appError.code,
        error: err instanceof Error ? err.message : String(err),
      });
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
