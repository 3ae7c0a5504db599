import { useState } from 'react';
import type { TokenInfo } from '@nightshift/protocol';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { RowAction, SettingsTable, Timestamp } from '../SettingsTable.js';

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
      <SettingsTable
        label="API tokens"
        columns={['Name', ...(showOwner ? ['Owner'] : []), 'Created', 'Last used']}
        withActions
      >
        {tokens.map((t) => (
          <tr key={t.id}>
            <td>{t.name}</td>
            {showOwner && <td title={t.owner.email}>{t.owner.name}</td>}
            <td>
              <Timestamp at={t.createdAt} />
            </td>
            <td>{t.lastUsedAt ? <Timestamp at={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
            <td className="row-actions">
              <RowAction label={`Revoke ${t.name}`} danger onClick={() => setRevoking(t)}>
                Revoke
              </RowAction>
            </td>
          </tr>
        ))}
      </SettingsTable>
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
