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
