import { useState } from 'react';
import { usePath, linkHandler } from './router.js';
import { useIdentity } from './identity/identity.js';
import { IdentityDialog } from './identity/IdentityDialog.js';
import { SessionsPage } from './sessions/SessionsPage.js';
import { NewSessionForm } from './sessions/NewSessionForm.js';
import { SessionPage } from './sessions/SessionPage.js';
import { initials } from './components/format.js';

export function App() {
  const path = usePath();
  const me = useIdentity();
  const [editingIdentity, setEditingIdentity] = useState(false);
  const sessionMatch = /^\/sessions\/([^/]+)\/?$/.exec(path);

  return (
    <div className="app">
      <header className="topbar">
        <a href="/" onClick={linkHandler} className="brand">
          <span className="brand-mark" aria-hidden="true">
            ☾
          </span>{' '}
          Nightshift
        </a>
        {me && (
          <button
            type="button"
            className="identity-button"
            onClick={() => setEditingIdentity(true)}
            aria-label={`Signed in locally as ${me.name}. Change name or email`}
          >
            <span className="avatar" aria-hidden="true">
              {initials(me.name)}
            </span>
            <span className="identity-name">{me.name}</span>
          </button>
        )}
      </header>
      {sessionMatch ? (
        <SessionPage key={sessionMatch[1]} sessionId={decodeURIComponent(sessionMatch[1]!)} me={me} />
      ) : path === '/new' ? (
        <NewSessionForm />
      ) : path === '/' ? (
        <SessionsPage />
      ) : (
        <main className="page narrow">
          <h1>Not found</h1>
          <a href="/" onClick={linkHandler}>
            Back to sessions
          </a>
        </main>
      )}
      {(!me || editingIdentity) && (
        <IdentityDialog initial={me} onClose={me ? () => setEditingIdentity(false) : undefined} />
      )}
    </div>
  );
}
