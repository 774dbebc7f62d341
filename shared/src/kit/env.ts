/**
 * Environment parsing, one call per service: every variable is read and
 * validated in one place, and a bad value stops the start with a message
 * naming the variable. The variables every service reads (NODE_ENV, HOST,
 * PORT, INTERNAL_TOKEN, LOG_DIR, LOG_LEVEL, BODY_LIMIT) are declared here once.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535)
  .default(fallback);
export const url = () => z.string().url();
/** A URL, or unset (an empty string counts as unset, as compose files write it). */
export const optionalUrl = () => z.string().url().optional().or(z.literal('').transform(() => undefined));
export const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
/** A service or server id, as it appears in URLs, log folders and Redis keys. */
export const serviceId = () => z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
export const bool = (fallback: boolean) => z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default(fallback ? 'true' : 'false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export function readEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** The variables of every service; `host` and `port` are each service's defaults. */
export const baseEnvShape = (defaults: { host: string; port: number }) => ({
  NODE_ENV: z.string().default('development'),
  HOST: z.string().min(1).default(defaults.host),
  PORT: port(defaults.port),
  INTERNAL_TOKEN: z.string().min(1).optional(),
  LOG_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  BODY_LIMIT: z.string()
    .regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 64kb')
    .default('64kb'),
});

type BaseEnv = z.infer<z.ZodObject<ReturnType<typeof baseEnvShape>>>;

/** What every service derives from the shared variables. */
export interface BaseConfig {
  nodeEnv: string;
  production: boolean;
  host: string;
  port: number;
  internalToken: string;
  /** Folder for requests.log, combined.log and error.log. */
  logDir: string;
  logLevel: string;
  bodyLimit: string;
  /** Messages about defaults taken, for the logger once it exists. */
  warnings: string[];
}

export const DEV_INTERNAL_TOKEN = 'dev-internal-token';
/** The repository's top folder (the default home of `logs/`). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The shared part of a service's configuration. Production refuses to start
 * without the internal token (and any other `requiredInProduction` secret that
 * is unset); development takes a fixed token and says so.
 */
export function baseConfig(
  e: BaseEnv,
  options: { logFolder: string; requiredInProduction?: Record<string, string | undefined> },
): BaseConfig {
  const production = e.NODE_ENV === 'production';
  const required = { INTERNAL_TOKEN: e.INTERNAL_TOKEN, ...options.requiredInProduction };
  Object.entries(required).forEach(([name, value]) => {
    if (production && !value) throw new Error(`invalid configuration: ${name} is required when NODE_ENV=production`);
  });
  const warnings: string[] = [];
  if (!e.INTERNAL_TOKEN) warnings.push('INTERNAL_TOKEN is not set: using the development token; set it outside development');
  return {
    nodeEnv: e.NODE_ENV,
    production,
    host: e.HOST,
    port: e.PORT,
    internalToken: e.INTERNAL_TOKEN ?? DEV_INTERNAL_TOKEN,
    logDir: e.LOG_DIR ?? path.join(REPO_ROOT, 'logs', options.logFolder),
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    warnings,
  };
}

/** The user-token secret; unset (development only), a random one for this run, with a warning saying what that means. */
export function jwtSecretOrRandom(secret: string | undefined, warnings: string[], consequence: string): string {
  if (secret) return secret;
  warnings.push(`JWT_SECRET not set: generated one for this run; ${consequence}`);
  return crypto.randomBytes(32).toString('hex');
}
