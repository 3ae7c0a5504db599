import type { ApiError } from '@nightshift/client';
import { EXIT } from './exit-codes.js';

/** An error whose message is the one line the user sees, and which knows its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose --help to point at, if any. */
    readonly command?: string,
  ) {
    super(message, EXIT.usage);
  }
}

/** A failed call to the server as the one line and exit code the user gets. */
export function cliErrorOf(err: ApiError): CliError {
  switch (err.kind) {
    case 'invalid_input':
      return new UsageError(err.message);
    case 'unreachable':
      return new CliError(`${err.message} (is \`nightshift up\` running?)`, EXIT.unreachable);
    case 'refused':
      return new CliError(err.message, exitCodeForStatus(err.status));
    case 'timeout':
    case 'unexpected_answer':
      return new CliError(err.message);
  }
}

export function exitCodeForStatus(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failure;
}
