import type { Author, Person } from '@nightshift/protocol';
import { linkHandler } from './router.js';
import { SessionsPage } from './sessions/SessionsPage.js';
import { NewSessionForm } from './sessions/NewSessionForm.js';
import { SessionPage } from './sessions/SessionPage.js';
import { TokensPage } from './settings/tokens/TokensPage.js';
import { SecretsPage } from './settings/secrets/SecretsPage.js';
import { UsagePage } from './settings/usage/UsagePage.js';

/** The page for a path, once it is known who is using the app. */
export function Pages({
  path,
  me,
  signedIn,
  person,
}: {
  path: string;
  me: Author | null;
  signedIn: boolean;
  /** The signed-in person in team mode; null in local mode, where everyone may do everything. */
  person: Person | null;
}) {
  const sessionMatch = /^\/sessions\/([^/]+)\/?$/.exec(path);
  if (sessionMatch) {
    return (
      <SessionPage
        key={sessionMatch[1]}
        sessionId={decodeURIComponent(sessionMatch[1]!)}
        me={me}
        signedIn={signedIn}
      />
    );
  }
  if (path === '/new') return <NewSessionForm />;
  if (path === '/') return <SessionsPage />;
  if (path === '/settings/tokens') return <TokensPage person={person} />;
  if (path === '/settings/secrets') return <SecretsPage person={person} />;
  if (path === '/settings/usage') return <UsagePage person={person} />;
  return (
    <main className="page narrow">
      <h1>Not found</h1>
      <a href="/" onClick={linkHandler}>
        Back to sessions
      </a>
    </main>
  );
}
