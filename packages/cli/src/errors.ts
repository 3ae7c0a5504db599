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

export class UnreachableError extends CliError {
  constructor(readonly serverUrl: string) {
    super(`cannot reach the server at ${serverUrl} (is \`nightshift up\` running?)`, EXIT.unreachable);
  }
}

/** A refusal from the server, carrying its status and error code. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message, exitCodeForStatus(status));
  }
}

export function exitCodeForStatus(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failure;
}
