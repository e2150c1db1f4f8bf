import type { ErrorCode } from '../core/errors.js';
import { BulwarkError } from '../core/errors.js';

/**
 * Stable API error codes: the `error.code` of every non-2xx JSON answer. Clients branch on these, never on
 * the message.
 */
export type ApiErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'invalid_report'
  | 'report_too_large'
  | 'store_unavailable'
  | 'rate_limited'
  | 'unsupported_media_type'
  | 'internal';

/** An error that becomes an HTTP answer: status + stable API code. */
export class HttpError extends BulwarkError {
  readonly status: number;
  readonly apiCode: ApiErrorCode;
  /** Extra details for the body (e.g. schema violations). */
  readonly details: string[] | undefined;
  constructor(status: number, apiCode: ApiErrorCode, message: string, options?: { details?: string[]; cause?: unknown }) {
    const code: ErrorCode = status >= 500 ? 'BULWARK_E_IO' : 'BULWARK_E_USAGE';
    super(code, message, { cause: options?.cause });
    this.status = status;
    this.apiCode = apiCode;
    this.details = options?.details;
  }
}

export class UnauthenticatedError extends HttpError {
  constructor(message = 'authentication required: send "Authorization: Bearer <key>" or log in') {
    super(401, 'unauthenticated', message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'this credential may not do that') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class InvalidRequestError extends HttpError {
  constructor(message: string, details?: string[]) {
    super(400, 'invalid_request', message, { details });
  }
}

export class InvalidReportError extends HttpError {
  constructor(message: string, details?: string[]) {
    super(400, 'invalid_report', message, { details });
  }
}

/** The store cannot take the request now; the client should retry after `retryAfter` seconds. */
export class StoreUnavailableError extends HttpError {
  readonly retryAfter: number;
  constructor(cause: unknown, retryAfter = 5) {
    super(503, 'store_unavailable', 'the store is unavailable; nothing was stored, retry later', { cause });
    this.retryAfter = retryAfter;
  }
}

/** Too many requests (or uploads in flight) for this credential; retry after `retryAfter` seconds. */
export class TooManyRequestsError extends HttpError {
  readonly retryAfter: number;
  constructor(message: string, retryAfter = 1) {
    super(429, 'rate_limited', message);
    this.retryAfter = retryAfter;
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
