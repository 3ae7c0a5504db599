import { useCallback, useEffect, useState } from 'react';
import type { Secret } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { RowAction, SettingsTable, Timestamp } from '../SettingsTable.js';
import { SecretForm } from './SecretForm.js';

/** The secrets of one place (global, or one repository): their names, and the form to set one. */
export function SecretSection({
  title,
  repo,
  canManage,
  readOnlyNote,
}: {
  /** A heading of its own; a repository's section sits under the page's repository picker. */
  title?: string;
  repo: string | null;
  canManage: boolean;
  readOnlyNote?: string;
}) {
  const [secrets, setSecrets] = useState<Secret[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<Secret | null>(null);
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const where = repo ? `secrets of ${repo}` : 'global secrets';

  const load = useCallback(async () => {
    try {
      setSecrets(await api.listSecrets(repo ?? undefined));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, [repo]);

  useEffect(() => void load(), [load]);

  const body = (
    <>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {secrets === null && !error && <p className="muted">Loading…</p>}
      {secrets?.length === 0 && <p className="muted empty-state">No {where} yet.</p>}
      {secrets && secrets.length > 0 && (
        <SettingsTable
          label={repo ? `Secrets of ${repo}` : 'Global secrets'}
          columns={['Name', 'Scope', 'Updated']}
          withActions={canManage}
        >
          {secrets.map((s) => (
            <tr key={s.name}>
              <td>
                <code>{s.name}</code>
              </td>
              <td>{s.scope}</td>
              <td>
                <Timestamp at={s.updatedAt} />
              </td>
              {canManage && (
                <td className="row-actions">
                  <RowAction label={`Replace ${s.name}`} onClick={() => setReplacing(s)}>
                    Replace
                  </RowAction>
                  <RowAction label={`Delete ${s.name}`} danger onClick={() => setDeleting(s)}>
                    Delete
                  </RowAction>
                </td>
              )}
            </tr>
          ))}
        </SettingsTable>
      )}
      {canManage ? (
        <SecretForm
          key={replacing?.name ?? ''}
          repo={repo}
          replacing={replacing}
          onCancelReplace={() => setReplacing(null)}
          onSaved={() => {
            setReplacing(null);
            void load();
          }}
        />
      ) : (
        readOnlyNote && <p className="hint">{readOnlyNote}</p>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          message={`Sessions ${repo ? `of ${repo}` : 'everywhere'} will no longer get this secret. This cannot be undone.`}
          confirmText="Delete secret"
          onConfirm={async () => {
            await api.deleteSecret(deleting.name, repo ?? undefined);
            await load();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );

  if (!title) return <div className="secret-section">{body}</div>;
  const headingId = repo ? `secrets-${repo}` : 'secrets-global';
  return (
    <section className="settings-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {body}
    </section>
  );
}
