/**
 * Logs as DESIGN.md decision 11 sets them: per service under `logs/<service>/`,
 * `requests.log` (Apache combined, morgan), `combined.log` (info and above) and
 * `error.log`. Secrets never reach a line: fields named like secrets are masked
 * and anything shaped like a JWT or a password hash is cut out.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import morgan from 'morgan';
import winston from 'winston';

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

export interface LoggingOptions {
  service: string;
  /** Folder for this service's three files; omitted: console only. */
  dir?: string;
  level?: string;
  /** Also write to the console (development). */
  console?: boolean;
}

export interface Logging {
  logger: winston.Logger;
  /** Express middleware writing the Apache combined format to requests.log. */
  requests: RequestHandler;
  close: () => Promise<void>;
}

export function createLogging(options: LoggingOptions): Logging {
  const { service, dir, level = 'info' } = options;
  const lineFormat = winston.format.combine(
    redact(),
    winston.format.timestamp(),
    winston.format.json(),
  );
  const transports: winston.transport[] = [];
  let requestStream: fs.WriteStream | undefined;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    transports.push(
      new winston.transports.File({ filename: path.join(dir, 'combined.log'), level: 'info' }),
      new winston.transports.File({ filename: path.join(dir, 'error.log'), level: 'error' }),
    );
    requestStream = fs.createWriteStream(path.join(dir, 'requests.log'), { flags: 'a' });
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
  const requests: RequestHandler = requestStream
    ? morgan('combined', { stream: { write: (line: string) => { requestStream?.write(scrubText(line)); } } })
    : (_req, _res, next) => next();

  const close = () => new Promise<void>((resolve) => {
    if (requestStream) requestStream.end();
    let pending = transports.length;
    if (pending === 0) { resolve(); return; }
    transports.forEach((t) => {
      t.once('finish', () => { pending -= 1; if (pending === 0) resolve(); });
    });
    logger.end();
    setTimeout(resolve, 500).unref();
  });

  return { logger, requests, close };
}

/** A logger that writes nowhere, for code paths that may run without one. */
export const silentLogger = (): winston.Logger => winston.createLogger({ silent: true });
