import type { Author } from '@nightshift/protocol';

export type Role = 'admin' | 'member';

/** Someone known to a team-mode deployment: signed in once through its identity provider. */
export interface Person {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Set when they signed in with GitHub (or linked a GitHub account). */
  githubLogin: string | null;
}

/**
 * Who a request or a socket acts for. In local mode (`NIGHTSHIFT_AUTH=none`) that is whoever can
 * reach the loopback port: the person running the server, who may do everything, and whose name
 * a body's `author` may still give. In team mode it is a signed-in person, by browser session or
 * API token, and nothing a body says changes who that is.
 */
export type Principal =
  { kind: 'local' } | { kind: 'person'; person: Person; via: 'cookie' | 'token'; tokenId?: string };

/** The name that goes on prompts and commits, or undefined when the body (local mode) may say. */
export function principalAuthor(principal: Principal): Author | undefined {
  return principal.kind === 'person'
    ? { name: principal.person.name, email: principal.person.email }
    : undefined;
}

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'local' || principal.person.role === 'admin';
}
