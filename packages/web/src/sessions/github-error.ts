import { ApiError } from '@nightshift/client';
import { describeError } from '../api/errors.js';
import { loginUrl } from '../auth/return-to.js';

/** A refusal GitHub is behind (creating a session or its pull request): the server's words and what fixes it. */
export interface GitHubErrorView {
  message: string;
  action?: { href: string; label: string; external: boolean };
}

/**
 * The server's message already says what to do; the link makes it one click: signing in with
 * GitHub again for an expired token (back to this page), installing the App where it is missing.
 */
export function githubErrorView(err: unknown, here: string): GitHubErrorView {
  const message = describeError(err);
  if (!(err instanceof ApiError)) return { message };
  if (err.code === 'github_token_expired') {
    return { message, action: { href: loginUrl(here), label: 'Sign in with GitHub again', external: false } };
  }
  const details = err.details as { installUrl?: unknown } | undefined;
  // Only a web address becomes a link: never a `javascript:` one, whoever wrote the details.
  if (
    err.code === 'github_not_installed' &&
    typeof details?.installUrl === 'string' &&
    /^https?:\/\//i.test(details.installUrl)
  ) {
    return { message, action: { href: details.installUrl, label: 'Install the GitHub App', external: true } };
  }
  return { message };
}
