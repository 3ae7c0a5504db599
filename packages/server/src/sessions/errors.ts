import type { QueueRejection } from './queue.js';

/** What kind of refusal it is; each edge (HTTP, WebSocket) decides how a kind is told to a client. */
export type SessionErrorKind =
  'not_found' | 'conflict' | 'unusable_repository' | 'unauthenticated' | 'forbidden';

/**
 * A command on sessions that was refused for a reason the client can act on, as opposed to a
 * bug. `code` and `message` reach clients unchanged (docs/api.md lists the codes), so they are
 * part of the public contract.
 */
export abstract class SessionError extends Error {
  abstract readonly kind: SessionErrorKind;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No such session, or no such prompt in it. `what` names it: `session ses_…`, `prompt msg_…`. */
export class NotFound extends SessionError {
  readonly kind = 'not_found';

  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** The command does not fit the state the session is in (archived, prompt no longer queued …). */
export class StateConflict extends SessionError {
  readonly kind = 'conflict';

  constructor(rejection: QueueRejection) {
    super(rejection.code, rejection.message);
  }
}

/** The repository is well-formed in the request but cannot be used: unreadable, no such branch. */
export class UnusableRepository extends SessionError {
  readonly kind = 'unusable_repository';

  constructor(message: string) {
    super('repo_unreadable', message);
  }
}

/** Nobody is signed in: no browser session, no API token, or one that is expired or revoked. */
export class Unauthenticated extends SessionError {
  readonly kind = 'unauthenticated';

  constructor(message = 'sign in, or send an API token as Authorization: Bearer <token>') {
    super('unauthenticated', message);
  }
}

/**
 * Someone is signed in but may not do this: outside the allow-lists, a member where an admin is
 * needed, a repository the deployment does not allow. `code` says which (`forbidden`,
 * `admin_only`, `repo_not_allowed`).
 */
export class Forbidden extends SessionError {
  readonly kind = 'forbidden';

  constructor(message: string, code = 'forbidden') {
    super(code, message);
  }
}
