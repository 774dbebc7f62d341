/**
 * Request validation that answers in the shared error shape, and `/docs`.
 * The rest of the Express stack is the service kit's (kit/express-app.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
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
