import type { ErrorCode } from '@chat/contract';

/** `NETWORK`: the server could not be reached at all (down, wrong URL, CORS refused). */
export type ClientErrorCode = ErrorCode | 'NETWORK';

/** An error answer of the backend (`{error: {code, message}}`) or a failure to reach it. */
export class ApiError extends Error {
  readonly code: ClientErrorCode;

  readonly status: number;

  constructor(code: ClientErrorCode, message: string, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  421: 'WRONG_SERVER',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

const KNOWN_CODES = new Set<string>([...Object.values(CODE_BY_STATUS), 'INTERNAL']);

export const codeForStatus = (status: number): ErrorCode => CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');

/** Reads the backend's error body; anything else becomes a code chosen by the HTTP status. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const detail = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof detail === 'object' && detail !== null) {
    const { code, message } = detail as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && KNOWN_CODES.has(code)) {
      return new ApiError(code as ErrorCode, typeof message === 'string' ? message : '', status);
    }
  }
  return new ApiError(codeForStatus(status), '', status);
}

/** Socket acks carry the same `{code, message}` detail. */
export function errorFromAck(detail: { code: string; message: string }): ApiError {
  return KNOWN_CODES.has(detail.code)
    ? new ApiError(detail.code as ErrorCode, detail.message)
    : new ApiError('INTERNAL', detail.message);
}
