import { useEffect, useMemo, useState } from 'react';
import type { Author } from '@nightshift/protocol';
import { usePath, useSearch, linkHandler, navigate } from './router.js';
import { useIdentity } from './identity/identity.js';
import { IdentityDialog } from './identity/IdentityDialog.js';
import { loadAuth, signOut, useAuth } from './auth/auth-store.js';
import { signInPath, safeReturnTo } from './auth/return-to.js';
import { SignInPage } from './auth/SignInPage.js';
import { AccountMenu } from './auth/AccountMenu.js';
import { Pages } from './Pages.js';
import { initials } from './components/format.js';

export function App() {
  const auth = useAuth();
  const path = usePath();
  const search = useSearch();
  const localIdentity = useIdentity();
  const [editingIdentity, setEditingIdentity] = useState(false);

  useEffect(() => void loadAuth(), []);

  // Team mode without a session: the sign-in page, remembering where the person was.
  const mustSignIn = auth.status === 'signed-out' && path !== '/sign-in';
  const leaveSignIn = (auth.status === 'local' || auth.status === 'signed-in') && path === '/sign-in';
  useEffect(() => {
    if (mustSignIn) {
      const here = location.pathname + location.search;
      navigate(auth.reason === 'signed-out' ? '/sign-in' : signInPath(here), { replace: true });
    } else if (leaveSignIn && !new URLSearchParams(search).has('error')) {
      navigate(safeReturnTo(new URLSearchParams(search).get('returnTo')), { replace: true });
    }
  }, [mustSignIn, leaveSignIn, auth, search]);

  const signedIn = auth.status === 'signed-in';
  // In team mode the server knows who this is; the local name is neither asked for nor sent.
  const person = signedIn ? auth.person : null;
  // One object per person, so presence is announced when who it is changes, not on every render.
  const signedInAs = useMemo<Author | null>(
    () => (person ? { name: person.name, email: person.email } : null),
    [person],
  );
  const me = signedInAs ?? localIdentity;

  return (
    <div className="app">
      <header className="topbar">
        <a href="/" onClick={linkHandler} className="brand">
          <span className="brand-mark" aria-hidden="true">
            ☾
          </span>{' '}
          Nightshift
        </a>
        {signedIn && <AccountMenu person={auth.person} mode={auth.mode} onSignOut={signOut} />}
        {auth.status === 'local' && localIdentity && (
          <button
            type="button"
            className="identity-button"
            onClick={() => setEditingIdentity(true)}
            aria-label={`Signed in locally as ${localIdentity.name}. Change name or email`}
          >
            <span className="avatar" aria-hidden="true">
              {initials(localIdentity.name)}
            </span>
            <span className="identity-name">{localIdentity.name}</span>
          </button>
        )}
      </header>
      {auth.status === 'loading' ? (
        <main className="page narrow" aria-busy="true">
          <p className="muted">Loading…</p>
        </main>
      ) : auth.status === 'unavailable' ? (
        <main className="page narrow">
          <p className="error-text" role="alert">
            {auth.message}
          </p>
          <button type="button" className="button" onClick={() => void loadAuth()}>
            Retry
          </button>
        </main>
      ) : auth.status === 'signed-out' ? (
        <SignInPage mode={auth.mode} search={search} reason={auth.reason} />
      ) : (
        <Pages path={path} me={me} signedIn={signedIn} person={person} />
      )}
      {auth.status === 'local' && (!localIdentity || editingIdentity) && (
        <IdentityDialog
          initial={localIdentity}
          onClose={localIdentity ? () => setEditingIdentity(false) : undefined}
        />
      )}
    </div>
  );
}
