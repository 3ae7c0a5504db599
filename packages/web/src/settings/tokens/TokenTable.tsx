import { useState } from 'react';
import type { TokenInfo } from '@nightshift/protocol';
import { formatTime } from '../../components/format.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';

/** Tokens by name, when made and last used (never their values), each revocable. */
export function TokenTable({
  tokens,
  showOwner,
  onRevoke,
}: {
  tokens: TokenInfo[];
  showOwner: boolean;
  onRevoke(id: string): Promise<void>;
}) {
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  if (tokens.length === 0) return <p className="muted empty-state">No tokens yet.</p>;
  return (
    <>
      <table className="settings-table" aria-label="API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              {showOwner && <td title={t.owner.email}>{t.owner.name}</td>}
              <td>
                <time dateTime={t.createdAt}>{formatTime(t.createdAt)}</time>
              </td>
              <td>
                {t.lastUsedAt ? (
                  <time dateTime={t.lastUsedAt}>{formatTime(t.lastUsedAt)}</time>
                ) : (
                  <span className="muted">never</span>
                )}
              </td>
              <td className="row-actions">
                <button
                  type="button"
                  className="button small danger"
                  aria-label={`Revoke ${t.name}`}
                  onClick={() => setRevoking(t)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          message="Anything still using this token will be refused from now on. This cannot be undone."
          confirmText="Revoke token"
          onConfirm={() => onRevoke(revoking.id)}
          onClose={() => setRevoking(null)}
        />
      )}
    </>
  );
}
