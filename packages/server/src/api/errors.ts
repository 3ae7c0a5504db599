import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { describeIssues, type ErrorBody } from '@nightshift/protocol';
import { SessionError, type SessionErrorKind } from '../sessions/errors.js';
import type { Logger } from '../log.js';
import { GitHubError, type GitHubErrorKind } from '../github/errors.js';

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

/** A record, not a switch: a new kind of session error does not compile until it has a status. */
const SESSION_ERROR_STATUS: Record<SessionErrorKind, ErrorStatus> = {
  not_found: 404,
  conflict: 409,
  unusable_repository: 422,
  unauthenticated: 401,
  forbidden: 403,
};

const GITHUB_ERROR_STATUS: Record<GitHubErrorKind, ErrorStatus> = {
  not_installed: 422,
  not_configured: 422,
  token_expired: 409,
  branch_protected: 409,
  no_commits_ahead: 409,
  rate_limited: 503,
};

/** What a client is told about a failure, or undefined when it is a bug (answered as a 500). */
export function clientError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof SessionError) return new ApiError(SESSION_ERROR_STATUS[err.kind], err.code, err.message);
  if (err instanceof GitHubError)
    return new ApiError(GITHUB_ERROR_STATUS[err.kind], err.code, err.message, err.details);
  // Hono's own refusals of what a client sent (a malformed header, say).
  if (err instanceof HTTPException && err.status < 500) {
    return new ApiError(400, 'bad_request', err.message || 'bad request');
  }
  return undefined;
}

/** The app's onError: every failure a route throws is answered here, and only here. */
export function answerError(log: Logger) {
  return (err: Error, c: Context): Response => {
    const failure = clientError(err);
    if (!failure) {
      log.error({ err, method: c.req.method, path: c.req.path }, 'request failed');
      return c.json(new ApiError(500, 'internal_error', 'something went wrong on the server').toBody(), 500);
    }
    // The rest of an oversized body is never read, so the connection cannot be reused.
    if (failure.status === 413) c.header('connection', 'close');
    return c.json(failure.toBody(), failure.status);
  };
}
