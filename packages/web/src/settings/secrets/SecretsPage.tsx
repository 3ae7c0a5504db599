import { useEffect, useId, useState } from 'react';
import type { Person } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { SettingsPage } from '../SettingsPage.js';
import { SecretSection } from './SecretSection.js';

/**
 * Secrets by name (values never come back): the global ones, which only admins manage, and
 * those of one repository, which anyone using it may manage. A repository's secret overrides a
 * global one of the same name.
 */
export function SecretsPage({ person }: { person: Person | null }) {
  const [repos, setRepos] = useState<string[] | null>(null);
  const [repo, setRepo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  // Local mode has no roles: the one person there manages everything.
  const admin = !person || person.role === 'admin';

  useEffect(() => {
    Promise.all([api.listSessions('active'), api.listSessions('archived')])
      .then(([active, archived]) => {
        const used = [...new Set([...active, ...archived].map((s) => s.repo))].sort();
        setRepos(used);
        setRepo((current) => current || used[0] || '');
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, []);

  return (
    <SettingsPage title="Secrets">
      <p className="muted">
        Secrets reach a sandbox as environment variables. Their values are encrypted on the server and never
        shown again, here or anywhere else.
      </p>
      <SecretSection
        title="Global secrets"
        repo={null}
        canManage={admin}
        readOnlyNote="Only admins manage global secrets. You can see their names."
      />
      <section className="settings-section" aria-labelledby={`${id}-repo-heading`}>
        <h2 id={`${id}-repo-heading`}>Repository secrets</h2>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {repos?.length === 0 && (
          <p className="muted">
            No repositories yet: secrets of a repository can be set once a session uses it.
          </p>
        )}
        {repos && repos.length > 0 && (
          <div className="field">
            <label htmlFor={`${id}-repo`}>Repository</label>
            <select id={`${id}-repo`} value={repo} onChange={(e) => setRepo(e.target.value)}>
              {repos.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        )}
        {repo && <SecretSection key={repo} repo={repo} canManage />}
      </section>
    </SettingsPage>
  );
}
