import type { Author } from '@nightshift/protocol';
import type { PeopleRepo } from '../../store/store.js';
import type { Person } from '../../auth/principal.js';

export type CommenterVerdict = { ok: true; author: Author } | { ok: false; reason: string };

export interface CommenterDeps {
  /** Team mode: only the deployment's people may prompt; local mode trusts the repository's own. */
  teamMode: boolean;
  people: Pick<PeopleRepo, 'getByGithubLogin' | 'getByEmail'>;
  /** The person as of now, or a throw when the allow-lists no longer let them in. */
  currentPerson(personId: string): Promise<Person>;
  /** The login's public email on GitHub, when it shows one. */
  publicEmail(login: string): Promise<string | undefined>;
  signInUrl: string;
}

/** Those GitHub lets write to the repository (or its organisation's members). */
const REPOSITORY_PEOPLE = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/**
 * Who a comment's prompt is authored by. In team mode: the person who signed in with that GitHub
 * login, else the one whose email is the login's public one, and only while the allow-lists still
 * admit them. In local mode there are no people: the repository's owners, members and
 * collaborators are taken at GitHub's word, with GitHub's no-reply address.
 */
export async function commenterAuthor(
  commenter: { login: string; id: number | undefined; association: string },
  deps: CommenterDeps,
): Promise<CommenterVerdict> {
  if (!deps.teamMode) {
    if (!REPOSITORY_PEOPLE.has(commenter.association)) {
      return { ok: false, reason: `only this repository's collaborators can ask me for changes` };
    }
    const email = `${commenter.id ? `${commenter.id}+` : ''}${commenter.login}@users.noreply.github.com`;
    return { ok: true, author: { name: commenter.login, email } };
  }
  let record = await deps.people.getByGithubLogin(commenter.login);
  if (!record) {
    const email = await deps.publicEmail(commenter.login).catch(() => undefined);
    if (email) record = await deps.people.getByEmail(email);
  }
  if (!record) {
    return {
      ok: false,
      reason: `@${commenter.login}, I can only take requests from people who use Nightshift here: sign in with GitHub at ${deps.signInUrl} first`,
    };
  }
  try {
    const person = await deps.currentPerson(record.id);
    return { ok: true, author: { name: person.name, email: person.email } };
  } catch {
    return {
      ok: false,
      reason: `@${commenter.login}, this Nightshift deployment does not let you in any more; ask an admin`,
    };
  }
}
