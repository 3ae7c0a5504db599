import type { AuthConfig } from '../config.js';
import type { PersonRecord, Store } from '../store/store.js';
import { Forbidden, Unauthenticated } from '../sessions/errors.js';
import { newId } from '../ids.js';
import { allowed, roleFor } from './access.js';
import { credentialHash, isWellFormedCookieValue, newCookieValue } from './credentials.js';
import type { Person } from './principal.js';
import type { SignedInIdentity, SignInCompleter, SignInRefusal, SignInResult } from './sign-in.js';
import { SESSION_TTL_MS } from './session-cookie.js';

/** Sliding expiry and last-seen times are written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

type Policy = Pick<AuthConfig, 'allow' | 'admins'>;

/** Keeps a person's GitHub user token (sealed, elsewhere): auth itself never stores or reads it. */
export type GitHubTokenKeeper = (personId: string, token: string) => Promise<void>;

/**
 * The people of a team-mode deployment: who may sign in, their browser sessions, and who a
 * person is on each request. Access is judged again on every request against the current
 * allow-lists, so a person taken off them is refused at once, not when their session ends.
 */
export class PeopleDirectory implements SignInCompleter {
  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
    private readonly now: () => Date = () => new Date(),
    private readonly onGitHubToken?: GitHubTokenKeeper,
  ) {}

  async completeSignIn(identity: SignedInIdentity): Promise<SignInResult> {
    const email = identity.email.trim().toLowerCase();
    if (!email.includes('@')) {
      return { ok: false, code: 'sign_in_failed', message: 'the identity provider gave no email address' };
    }
    const decision = allowed({ ...identity, email }, this.policy.allow);
    if (!decision.ok) return decision;
    const at = this.now().toISOString();
    const record = await this.store.people.upsert({
      id: newId('per'),
      email,
      name: identity.name.trim() || email,
      role: roleFor(email, this.policy.admins),
      githubLogin: identity.githubLogin ?? null,
      githubOrgs: (identity.githubOrgs ?? []).map((o) => o.toLowerCase()),
      at,
    });
    if (identity.githubToken) await this.onGitHubToken?.(record.id, identity.githubToken);
    const cookieValue = newCookieValue();
    await this.store.browserSessions.insert({
      id: credentialHash(cookieValue),
      personId: record.id,
      createdAt: at,
      expiresAt: new Date(this.now().getTime() + SESSION_TTL_MS).toISOString(),
      lastSeenAt: at,
    });
    return { ok: true, cookieValue, person: this.person(record) };
  }

  /** The person a session cookie belongs to; extends the session while it is in use. */
  async personForCookie(cookieValue: string): Promise<Person> {
    if (!isWellFormedCookieValue(cookieValue)) {
      throw new Unauthenticated('the session cookie is not one this server issued; sign in again');
    }
    const id = credentialHash(cookieValue);
    const session = await this.store.browserSessions.get(id);
    if (!session) throw new Unauthenticated('the session has ended or never existed; sign in again');
    const now = this.now();
    if (Date.parse(session.expiresAt) <= now.getTime()) {
      await this.store.browserSessions.delete(id);
      throw new Unauthenticated('the session has expired; sign in again');
    }
    const person = await this.currentPerson(session.personId);
    if (now.getTime() - Date.parse(session.lastSeenAt) >= TOUCH_EVERY_MS) {
      await this.store.browserSessions.extend(id, {
        expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
        lastSeenAt: now.toISOString(),
      });
      await this.store.people.touch(session.personId, now.toISOString());
    }
    return person;
  }

  /**
   * Links the GitHub account someone signed in with elsewhere (OIDC) to them, so their pull
   * requests are theirs; one GitHub account belongs to one person, else its pull requests and
   * @-mentions would speak for the wrong one.
   */
  async linkGitHub(
    personId: string,
    account: { login: string; token: string },
  ): Promise<{ ok: true } | SignInRefusal> {
    const holder = await this.store.people.getByGithubLogin(account.login);
    if (holder && holder.id !== personId) {
      return {
        ok: false,
        code: 'sign_in_failed',
        message: `the GitHub account ${account.login} is already linked to another person`,
      };
    }
    await this.store.people.setGithubLogin(personId, account.login);
    await this.onGitHubToken?.(personId, account.token);
    return { ok: true };
  }

  /** Forgets the linked GitHub account and its token: pull requests are the App's again. */
  async unlinkGitHub(personId: string): Promise<void> {
    await this.store.people.setGithubLogin(personId, null);
  }

  /** Ends the browser session of this cookie, if it is one; nothing to say if it is not. */
  async signOut(cookieValue: string): Promise<void> {
    if (isWellFormedCookieValue(cookieValue))
      await this.store.browserSessions.delete(credentialHash(cookieValue));
  }

  /** The stored person, if they may still get in, with the role the current admin list gives. */
  async currentPerson(personId: string): Promise<Person> {
    const record = await this.store.people.get(personId);
    if (!record) throw new Unauthenticated('this account no longer exists; sign in again');
    // Stored people had a verified address (or an allowed organisation) when they signed in.
    const decision = allowed(
      { email: record.email, emailVerified: true, githubOrgs: record.githubOrgs },
      this.policy.allow,
    );
    if (!decision.ok) throw new Forbidden(decision.message);
    return this.person(record);
  }

  private person(record: PersonRecord): Person {
    return {
      id: record.id,
      email: record.email,
      name: record.name,
      role: roleFor(record.email, this.policy.admins),
      githubLogin: record.githubLogin,
    };
  }
}
