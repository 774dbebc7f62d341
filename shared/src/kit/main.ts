/**
 * `main()` of every service process: start from the environment, print one
 * parseable line (`<name> listening on <url>`, so a parent can use PORT=0),
 * close gracefully on SIGTERM/SIGINT within a bound (a close that hangs is
 * cut short with exit code 1), and log a bug that escapes every handler to
 * error.log before ending as Node would: the state is unknown, the
 * orchestrator restarts the process.
 */
import type winston from 'winston';

export interface RunningService {
  close: () => Promise<void>;
  logger: winston.Logger;
}

export interface MainOptions<S extends RunningService> {
  /** Names the process in its messages, e.g. `dispatcher`. */
  name: string;
  start: () => Promise<S>;
  /** The line printed once listening; it must contain ` listening on <url>`. */
  banner: (service: S) => string;
  /** How long a graceful close may take before the process exits anyway. */
  forceExitMs?: number;
}

const FORCE_EXIT_MS = 15000;
/** Lets the logger write the fatal line before the process ends. */
const FATAL_FLUSH_MS = 200;

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function runMain<S extends RunningService>(options: MainOptions<S>): void {
  const main = async () => {
    const service = await options.start();
    const fatal = (what: string) => (err: unknown) => {
      service.logger.error(what, { error: describe(err) });
      setTimeout(() => process.exit(1), FATAL_FLUSH_MS);
    };
    process.on('unhandledRejection', fatal('unhandled rejection'));
    process.on('uncaughtException', fatal('uncaught exception'));
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`${signal}: closing ${options.name}\n`);
      setTimeout(() => process.exit(1), options.forceExitMs ?? FORCE_EXIT_MS).unref();
      service.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Printed last: a parent that signals as soon as it reads the line finds the handlers in place.
    process.stdout.write(`${options.banner(service)}\n`);
  };
  main().catch((err: unknown) => {
    process.stderr.write(`${options.name} failed to start: ${describe(err)}\n`);
    process.exit(1);
  });
}
