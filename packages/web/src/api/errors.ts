import { ApiError } from '@nightshift/client';

/** What the page says about a failed call: the server's own message, or why there was none. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  if (err.kind === 'unreachable') return 'Cannot reach the Nightshift server';
  return err.message;
}
