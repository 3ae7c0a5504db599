import type { SignInMode } from './auth-store.js';
import { loginUrl, safeReturnTo } from './return-to.js';

const BUTTON_LABEL: Record<SignInMode, string> = {
  oidc: 'Sign in with SSO',
  github: 'Sign in with GitHub',
};

/** Messages for a refusal the callback reported without one of its own. */
const FALLBACK_MESSAGE: Record<string, string> = {
  forbidden: 'This account is not allowed on this deployment.',
  sign_in_failed: 'Signing in did not complete. Try again.',
};

const NOTICE = {
  none: null,
  expired: 'Your session has ended. Sign in again to continue where you were.',
  'signed-out': 'You have signed out.',
};

/**
 * The page a team deployment shows to anyone without a session. Signing in is a full page
 * navigation to the server's login route (the identity provider's page is on another origin),
 * which comes back to `returnTo` once the callback has set the session cookie.
 */
export function SignInPage({
  mode,
  search,
  reason = 'none',
  navigateTo = (url) => location.assign(url),
}: {
  mode: SignInMode;
  /** The page's query string: `returnTo`, and `error` + `message` after a refused sign-in. */
  search: string;
  reason?: keyof typeof NOTICE;
  navigateTo?: (url: string) => void;
}) {
  const params = new URLSearchParams(search);
  const returnTo = safeReturnTo(params.get('returnTo'));
  const error = params.get('error');
  const message = error
    ? params.get('message') || FALLBACK_MESSAGE[error] || FALLBACK_MESSAGE.sign_in_failed
    : null;
  const notice = error ? null : NOTICE[reason];

  return (
    <main className="page narrow sign-in">
      <div className="card sign-in-card">
        <h1>Sign in to Nightshift</h1>
        <p className="muted">This deployment is for its team only. Sign in to see and start sessions.</p>
        {message && (
          <p className="banner error sign-in-error" role="alert">
            {error === 'forbidden' ? 'Not allowed: ' : 'Sign-in failed: '}
            {message}
          </p>
        )}
        {notice && (
          <p className="banner" role="status">
            {notice}
          </p>
        )}
        <button
          type="button"
          className="button primary sign-in-button"
          onClick={() => navigateTo(loginUrl(returnTo))}
        >
          {BUTTON_LABEL[mode]}
        </button>
      </div>
    </main>
  );
}
