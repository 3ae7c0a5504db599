import { ErrorBody } from '@nightshift/protocol';

/**
 * Why a call failed:
 * - `refused`: the server answered with an error status (`status`, `code`, `message` are its own);
 * - `invalid_input`: never sent, because the body breaks the protocol's schema (a 400 the server
 *   would have given, with the same message naming the field);
 * - `unreachable`: nothing answered at the address;
 * - `timeout`: the server did not answer in time;
 * - `unexpected_answer`: an answer that is not what the protocol says (another program, or
 *   another version).
 */
export type ApiErrorKind = 'refused' | 'invalid_input' | 'unreachable' | 'timeout' | 'unexpected_answer';

/** Every failure of a call to the public API, whatever the transport. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** For 400s and 422s the message starts with `field: …`; this is that field. */
  readonly field: string | null;

  constructor(
    readonly kind: ApiErrorKind,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.field = status === 400 || status === 422 ? (/^([A-Za-z][\w.]*):/.exec(message)?.[1] ?? null) : null;
  }

  /** The message without its `field: ` prefix, for showing next to that field. */
  get detail(): string {
    return this.field ? this.message.slice(this.field.length + 1).trim() : this.message;
  }
}

/** How messages name the server: by its address, or plainly when it is the page's own origin. */
export function serverAt(baseUrl: string): string {
  return baseUrl ? `the server at ${baseUrl}` : 'the server';
}

/** The error for a non-2xx answer: the server's own when its body follows the protocol. */
export function refusal(baseUrl: string, status: number, statusText: string, body: unknown): ApiError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError('refused', status, code, message, details);
  }
  // A proxy in front of the server may refuse in its own words; a 401 still means "sign in".
  if (status === 401) {
    return new ApiError(
      'refused',
      status,
      'unauthenticated',
      `${serverAt(baseUrl)} answered 401: sign in first`,
    );
  }
  return new ApiError(
    'refused',
    status,
    'unexpected_response',
    `${serverAt(baseUrl)} answered ${status} ${statusText}${body === undefined ? ' (not a Nightshift server?)' : ''}`,
  );
}
