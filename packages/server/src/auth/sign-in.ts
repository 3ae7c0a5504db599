import type { Person } from './principal.js';

/** Who an identity provider says signed in; B's providers produce it, `completeSignIn` judges it. */
export interface SignedInIdentity {
  /** The provider's stable id for the account (OIDC `sub`, GitHub user id). */
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string;
  githubLogin?: string;
  /** GitHub organisations the person belongs to, when signing in with GitHub. */
  githubOrgs?: string[];
  /** The person's GitHub user token (GitHub sign-in): handed to the `onGitHubToken` hook, which seals it; PRs are opened with it. */
  githubToken?: string;
}

export type SignInRefusal = { ok: false; code: 'forbidden' | 'sign_in_failed'; message: string };

/** On success the caller sets `cookieValue` as the session cookie; only its hash is stored. */
export type SignInResult = { ok: true; cookieValue: string; person: Person } | SignInRefusal;

/** What the sign-in callback route needs from the auth domain. */
export interface SignInCompleter {
  completeSignIn(identity: SignedInIdentity): Promise<SignInResult>;
}
