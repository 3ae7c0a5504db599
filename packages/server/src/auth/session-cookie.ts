/** The browser session's cookie; its value is random, only its hash is stored. */
export const SESSION_COOKIE = 'nightshift_session';

export const SESSION_TTL_MS = 14 * 24 * 60 * 60_000;

/**
 * HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests), Secure when
 * the server is reached over https. `value` null clears it.
 */
export function sessionCookieHeader(value: string | null, options: { secure: boolean }): string {
  const parts = [
    `${SESSION_COOKIE}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    value === null ? 'Max-Age=0' : `Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session cookie's value in a `Cookie` header, if there is one. */
export function sessionCookieValue(cookieHeader: string | undefined): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
