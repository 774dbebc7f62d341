/**
 * Database failures in the shared error shape: an unreachable database is 503
 * UNAVAILABLE (the caller may retry), a broken unique rule is 409, a document
 * the schema refuses is 400. Anything else stays an internal error.
 */
import type { ErrorRequestHandler } from 'express';
import { AppError } from '@chat/shared';

const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
]);
const UNAVAILABLE_MESSAGE = new RegExp([
  'buffering timed out', 'before initial connection is complete', 'connection .*closed', 'connection .*timed out',
  'ECONNREFUSED', 'ECONNRESET', 'client must be connected',
].join('|'), 'i');
const UNAVAILABLE_LABELS = ['RetryableWriteError', 'ResetPool', 'SystemOverloadedError'];

interface DriverErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  writeErrors?: unknown;
  errorLabels?: unknown;
}

const asDriverError = (err: unknown): DriverErrorLike => (
  typeof err === 'object' && err !== null ? err as DriverErrorLike : {});

export function isUnavailable(err: unknown): boolean {
  const e = asDriverError(err);
  if (typeof e.name === 'string' && UNAVAILABLE_ERRORS.has(e.name)) return true;
  if (Array.isArray(e.errorLabels) && e.errorLabels.some((l) => UNAVAILABLE_LABELS.includes(String(l)))) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}

// Mongoose wraps each bulk write error as {err, index}; the driver's have the code on themselves.
const writeErrorsOf = (err: unknown): DriverErrorLike[] => {
  const { writeErrors } = asDriverError(err);
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.filter((w) => w !== undefined).map((w) => {
    const wrapped = asDriverError(w) as DriverErrorLike & { err?: unknown };
    return wrapped.err !== undefined ? asDriverError(wrapped.err) : wrapped;
  });
};

// FerretDB reports a unique-index violation in an update as a generic error with SQLite's words.
const FERRETDB_DUPLICATE = /UNIQUE constraint failed/;

export function isDuplicateKey(err: unknown): boolean {
  const e = asDriverError(err);
  if (e.code === 11000 || writeErrorsOf(err).some((w) => w.code === 11000)) return true;
  return typeof e.message === 'string' && FERRETDB_DUPLICATE.test(e.message);
}

/** The indexes of the documents a bulk insert refused (an ordered one stops at its first). */
export function refusedIndexes(err: unknown): number[] {
  const { writeErrors } = asDriverError(err);
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.flatMap((w) => {
    const { index } = (w ?? {}) as { index?: unknown };
    return typeof index === 'number' ? [index] : [];
  });
}

/** How many documents of an ordered bulk insert went in: those before the first that failed. */
export function writtenBeforeError(err: unknown): number {
  return refusedIndexes(err)[0] ?? 0;
}

/** True when every write of a bulk insert that failed, failed only on a unique index. */
export function onlyDuplicateKeys(err: unknown): boolean {
  const failures = writeErrorsOf(err);
  if (failures.length === 0) return asDriverError(err).code === 11000;
  return failures.every((w) => w.code === 11000);
}

/** The first field rule a document broke, in the words the request schemas use (`name: must be …`). */
function firstValidationMessage(err: unknown): string | undefined {
  const { errors } = err as { errors?: Record<string, { message?: unknown }> };
  const first = errors ? Object.values(errors)[0] : undefined;
  return typeof first?.message === 'string' ? first.message : undefined;
}

/** The AppError a database error stands for, or undefined when it is not one we know. */
export function fromDatabaseError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (isUnavailable(err)) return new AppError('UNAVAILABLE', 'the database is unreachable; retry later');
  if (isDuplicateKey(err)) return new AppError('CONFLICT', 'that already exists');
  const { name } = asDriverError(err);
  if (name === 'ValidationError' || name === 'CastError' || name === 'StrictModeError') {
    return new AppError('VALIDATION_FAILED', firstValidationMessage(err) ?? 'the record is not valid');
  }
  return undefined;
}

/** Express error middleware placed before the shared errorHandler. */
export const databaseErrors: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  next(fromDatabaseError(err) ?? err);
};
