/**
 * Logs per service under `logs/<service>/`: `requests.log` (Apache combined,
 * morgan), `combined.log` (info and above) and `error.log`. Each name is a link
 * to the current file of a set rotated by day and by size, of which a bounded
 * number is kept. Routine checks that succeed (health, readiness, metrics,
 * heartbeats) stay out of requests.log: they would be most of its lines.
 * Secrets never reach a line: fields named like secrets are masked and anything
 * shaped like a JWT or a password hash is cut out.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { RequestHandler } from 'express';
import morgan from 'morgan';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { z } from 'zod';
import { readEnv } from './kit/env';

const SECRET_KEY = /pass(word)?|token|secret|hash|authorization|cookie/i;
const JWT_LIKE = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const HASH_LIKE = /\$(argon2(id|i|d)|2[aby])\$[^\s"']+/g;

export const scrubText = (text: string): string => text
  .replace(JWT_LIKE, '[token]')
  .replace(HASH_LIKE, '[hash]');

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubText(value.message);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  Object.entries(value).forEach(([key, v]) => {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : scrubValue(v, depth + 1);
  });
  return out;
}

const redact = winston.format((info) => {
  const clean = info;
  Object.keys(clean).forEach((key) => {
    if (key === 'level' || key === 'service' || key === 'timestamp') return;
    clean[key] = SECRET_KEY.test(key) ? '[redacted]' : scrubValue(clean[key], 0);
  });
  return clean;
});

export interface LogRotation {
  /** Size at which a file is rotated: bytes, or a number with k, m or g. */
  maxSize: string;
  /** Files kept per log (the current one included); older ones are deleted. */
  maxFiles: number;
}

/** `LOG_MAX_SIZE` (default 20m) and `LOG_MAX_FILES` (default 14), validated. */
export function logRotationFromEnv(env: NodeJS.ProcessEnv = process.env): LogRotation {
  const parsed = readEnv({
    LOG_MAX_SIZE: z.string().regex(/^[1-9]\d*[kmg]?$/i, 'a size such as 20m, 500k or 1g').default('20m'),
    LOG_MAX_FILES: z.coerce.number().int().min(1).max(1000)
      .default(14),
  }, { LOG_MAX_SIZE: env.LOG_MAX_SIZE, LOG_MAX_FILES: env.LOG_MAX_FILES });
  return { maxSize: parsed.LOG_MAX_SIZE.toLowerCase(), maxFiles: parsed.LOG_MAX_FILES };
}

const ROUTINE_CHECK = /^\/(health|ready|metrics)$/;
const HEARTBEAT = /^\/dispatcher\/servers\/[^/]+\/heartbeat$/;

/**
 * A successful health, readiness or metrics probe or a chat server's heartbeat:
 * sent every few seconds by machines, they would drown the requests people
 * make. A failed one is still logged.
 */
export function isRoutineCheck(req: IncomingMessage, res: ServerResponse): boolean {
  if (res.statusCode >= 400) return false;
  // originalUrl: a router mounted under a prefix rewrites req.url while it runs.
  const { originalUrl } = req as IncomingMessage & { originalUrl?: string };
  const pathname = (originalUrl ?? req.url ?? '').split('?')[0] ?? '';
  if (req.method === 'GET' || req.method === 'HEAD') return ROUTINE_CHECK.test(pathname);
  return req.method === 'PUT' && HEARTBEAT.test(pathname);
}

export interface LoggingOptions {
  service: string;
  /** Folder for this service's three files; omitted: console only. */
  dir?: string;
  level?: string;
  /** Also write to the console (development). */
  console?: boolean;
  /** Default: from the environment (`logRotationFromEnv`). */
  rotation?: LogRotation;
}

export interface Logging {
  logger: winston.Logger;
  /** Express middleware writing the Apache combined format to requests.log. */
  requests: RequestHandler;
  close: () => Promise<void>;
}

/**
 * `<dir>/<name>.log` links to today's `<name>-YYYY-MM-DD[.N].log`. A plain file
 * of that name left by an older version moves aside so the link can take its place.
 */
function rotatingFile(dir: string, name: string, rotation: LogRotation, level: string): DailyRotateFile {
  const link = path.join(dir, `${name}.log`);
  try {
    if (!fs.lstatSync(link).isSymbolicLink()) fs.renameSync(link, path.join(dir, `${name}-before-rotation.log`));
  } catch {
    // no file yet
  }
  return new DailyRotateFile({
    dirname: dir,
    filename: `${name}-%DATE%`,
    extension: '.log',
    datePattern: 'YYYY-MM-DD',
    utc: true,
    maxSize: rotation.maxSize,
    maxFiles: rotation.maxFiles,
    auditFile: path.join(dir, `.${name}-audit.json`),
    createSymlink: true,
    symlinkName: `${name}.log`,
    level,
  });
}

/** Ends a logger and its rotating files once everything written has reached the disk. */
async function closeLoggers(loggers: winston.Logger[], files: DailyRotateFile[]): Promise<void> {
  await Promise.all(loggers.map((logger) => new Promise((resolve) => {
    logger.once('finish', resolve);
    logger.end();
  })));
  await Promise.all(files.map((file) => new Promise<void>((resolve) => { file.logStream.end(() => resolve()); })));
}

export function createLogging(options: LoggingOptions): Logging {
  const { service, dir, level = 'info' } = options;
  const lineFormat = winston.format.combine(
    redact(),
    winston.format.timestamp(),
    winston.format.json(),
  );
  const transports: winston.transport[] = [];
  const files: DailyRotateFile[] = [];
  let requestLogger: winston.Logger | undefined;
  if (dir) {
    const rotation = options.rotation ?? logRotationFromEnv();
    fs.mkdirSync(dir, { recursive: true });
    const combinedFile = rotatingFile(dir, 'combined', rotation, 'info');
    const errorFile = rotatingFile(dir, 'error', rotation, 'error');
    const requestFile = rotatingFile(dir, 'requests', rotation, 'info');
    files.push(combinedFile, errorFile, requestFile);
    transports.push(combinedFile, errorFile);
    requestLogger = winston.createLogger({
      format: winston.format.printf(({ message }) => String(message)),
      transports: [requestFile],
    });
  }
  if (options.console || transports.length === 0) {
    transports.push(new winston.transports.Console({
      level: options.console ? level : 'error',
      format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.simple()),
    }));
  }
  const logger = winston.createLogger({
    level,
    defaultMeta: { service },
    format: lineFormat,
    transports,
  });

  // morgan's :url would carry a query-string token verbatim; scrub the whole line.
  const requests: RequestHandler = requestLogger
    ? morgan('combined', {
      skip: isRoutineCheck,
      stream: { write: (line: string) => { requestLogger?.info(scrubText(line.trimEnd())); } },
    })
    : (_req, _res, next) => next();

  // A stuck disk must not hold a shutdown forever.
  const close = () => Promise.race([
    closeLoggers(requestLogger ? [logger, requestLogger] : [logger], files),
    new Promise<void>((resolve) => { setTimeout(resolve, 2000).unref(); }),
  ]).then(() => undefined);

  return { logger, requests, close };
}

/** A logger that writes nowhere, for code paths that may run without one. */
export const silentLogger = (): winston.Logger => winston.createLogger({ silent: true });
