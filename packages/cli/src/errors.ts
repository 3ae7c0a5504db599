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

/** Which server a client command talked to, and where its token came from, for a 401's advice. */
export interface Target {
  serverUrl: string;
  tokenSource: string | undefined;
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
  if (status === 401) return EXIT.unauthenticated;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failure;
}

/** Never the server's words alone: the user needs the command that fixes it. */
export function notSignedIn({ serverUrl, tokenSource }: Target): CliError {
  const why = tokenSource ? ` (it refused the token from ${tokenSource})` : '';
  return new CliError(
    `not signed in to ${serverUrl}${why}: run \`nightshift login --server ${serverUrl}\``,
    EXIT.unauthenticated,
  );
}
