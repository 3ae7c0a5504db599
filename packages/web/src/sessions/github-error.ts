import { ApiError } from '@nightshift/client';
import { describeError } from '../api/errors.js';
import { GITHUB_LINK_PATH, githubLinkUrl, loginUrl } from '../auth/return-to.js';

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
  const details = err.details as { installUrl?: unknown; loginUrl?: unknown } | undefined;
  if (err.code === 'github_token_expired') {
    // Under OIDC sign-in the server points at linking the GitHub account again instead.
    return {
      message,
      action: renewsByLinking(details?.loginUrl)
        ? { href: githubLinkUrl(here), label: 'Link your GitHub account again', external: false }
        : { href: loginUrl(here), label: 'Sign in with GitHub again', external: false },
    };
  }
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

function renewsByLinking(loginUrl: unknown): boolean {
  if (typeof loginUrl !== 'string') return false;
  try {
    return new URL(loginUrl, 'http://nightshift.invalid').pathname === GITHUB_LINK_PATH;
  } catch {
    return false;
  }
}
