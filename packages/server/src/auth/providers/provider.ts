import type { SignedInIdentity } from '../sign-in.js';

/**
 * What a sign-in started and its callback must agree on. Kept on the server, keyed by the
 * `nightshift_login` cookie, so nothing a browser carries can change it.
 */
export interface PendingLogin {
  state: string;
  /** OIDC only: the ID token must carry it back. */
  nonce?: string;
  pkceVerifier: string;
  /** A same-origin path (see safeReturnTo) to land on once signed in. */
  returnTo: string;
}

/** One identity provider's side of the authorization-code flow. */
export interface AuthProvider {
  readonly kind: 'oidc' | 'github';
  /** The accessible name of the web UI's sign-in button (API.md fixes both). */
  readonly buttonLabel: 'Sign in with SSO' | 'Sign in with GitHub';
  /** Where to send the browser, and what the callback will need to check what comes back. */
  begin(callbackUrl: string, returnTo: string): Promise<{ redirectTo: string; pending: PendingLogin }>;
  /** Checks the provider's answer at `currentUrl` against `pending`; throws SignInFailed if it does not hold. */
  complete(callbackUrl: string, currentUrl: URL, pending: PendingLogin): Promise<SignedInIdentity>;
}

/**
 * A sign-in that did not work for a reason other than who the person is (the provider is down,
 * the answer was forged or replayed, the email is unverified). The message is one line a person
 * can read on the sign-in page; the cause is for the log only.
 */
export class SignInFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInFailed';
  }
}

/**
 * Where a sign-in may return to: a path on this origin (`/…`), never `//host` or `/\host`
 * (which browsers read as another origin) nor an absolute URL; anything else is `/`.
 */
export function safeReturnTo(value: string | undefined | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // Control characters could split the Location header or hide a scheme.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return '/';
  try {
    const resolved = new URL(value, 'http://nightshift.invalid');
    return resolved.origin === 'http://nightshift.invalid'
      ? `${resolved.pathname}${resolved.search}${resolved.hash}`
      : '/';
  } catch {
    return '/';
  }
}

/** http:// is only for a provider on this machine (tests, laptops); anywhere else it must be https. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The first line of an error, short enough for a sign-in page. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? '').slice(0, 200);
}
