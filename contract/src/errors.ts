/**
 * The one error shape of the system, for REST bodies and socket
 * acknowledgements alike: a stable machine code and a human message.
 */
import { z } from 'zod';

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  WRONG_SERVER: 421,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);
export const errorDetailSchema = z.object({ code: errorCodeSchema, message: z.string() });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;
export const errorBodySchema = z.object({ error: errorDetailSchema }).meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class AppError extends Error {
  readonly code: ErrorCode;

  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export const isErrorCode = (value: unknown): value is ErrorCode => (
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value)
);

export const errorCodeForStatus = (status: number): ErrorCode => {
  const found = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => ERROR_STATUS[code] === status);
  if (found) return found;
  return status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
};
