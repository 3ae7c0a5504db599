/**
 * Where to come back to after signing in: a path on this origin only. Anything else (another
 * origin, `//host`, a backslash trick) falls back to the home page, so a crafted sign-in link
 * cannot send someone elsewhere.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  if (value === '/sign-in' || value.startsWith('/sign-in?')) return '/';
  return value;
}

/** The sign-in page, remembering `returnTo`. */
export function signInPath(returnTo: string): string {
  const target = safeReturnTo(returnTo);
  return target === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(target)}`;
}

/** The server's login route, which a full page navigation follows to the identity provider. */
export function loginUrl(returnTo: string): string {
  return `/api/auth/login?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

/** The server's route linking a GitHub account to an OIDC sign-in (GitHub's authorize page, then back). */
export const GITHUB_LINK_PATH = '/api/auth/github/link';

/** A full page navigation here links the signed-in person's GitHub account, then returns to `returnTo`. */
export function githubLinkUrl(returnTo: string): string {
  return `${GITHUB_LINK_PATH}?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}
