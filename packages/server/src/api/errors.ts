import type { ZodError } from 'zod';
import { describeIssues, type ErrorBody } from '@nightshift/protocol';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

/** A client-facing failure: becomes `{error: {code, message}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function invalid(error: ZodError, prefix = ''): ApiError {
  return new ApiError(
    400,
    'invalid_request',
    describeIssues(error, prefix),
    error.issues.map((i) => ({
      path: [prefix, ...i.path].filter((p) => p !== '').join('.'),
      message: i.message,
    })),
  );
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} not found`);
}
