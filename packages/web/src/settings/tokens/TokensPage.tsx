import { useCallback, useEffect, useState } from 'react';
import type { Person, TokenCreated, TokenInfo } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { SettingsPage } from '../SettingsPage.js';
import { NewTokenForm } from './NewTokenForm.js';
import { CreatedToken } from './CreatedToken.js';
import { TokenTable } from './TokenTable.js';

/**
 * API tokens for the CLI and scripts: created with a name, shown once, listed by name and when
 * they were last used, revoked. An admin may look at everyone's.
 */
export function TokensPage({ person }: { person: Person | null }) {
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [everyone, setEveryone] = useState(false);
  const admin = person?.role === 'admin';

  const load = useCallback(async () => {
    try {
      setTokens(await api.listTokens({ all: everyone }));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, [everyone]);

  useEffect(() => void load(), [load]);

  return (
    <SettingsPage title="API tokens">
      <p className="muted">
        A token lets the <code>nightshift</code> command and your scripts act as you. Send it as{' '}
        <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      {!person && (
        <p className="banner" role="status">
          This server runs without sign-in: it needs no tokens.
        </p>
      )}
      <NewTokenForm
        onCreated={(token) => {
          setCreated(token);
          void load();
        }}
      />
      {created && <CreatedToken token={created} onDismiss={() => setCreated(null)} />}
      <section aria-labelledby="tokens-heading" className="settings-section">
        <div className="section-head">
          <h2 id="tokens-heading">{everyone ? "Everyone's tokens" : 'Your tokens'}</h2>
          {admin && (
            <label className="checkbox">
              <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />
              Show everyone's tokens
            </label>
          )}
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {tokens === null && !error && <p className="muted">Loading…</p>}
        {tokens && (
          <TokenTable
            tokens={tokens}
            showOwner={everyone}
            onRevoke={async (id) => {
              await api.deleteToken(id);
              if (created?.id === id) setCreated(null);
              await load();
            }}
          />
        )}
      </section>
    </SettingsPage>
  );
}
