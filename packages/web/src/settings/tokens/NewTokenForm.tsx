import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '@nightshift/client';
import type { TokenCreated } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';

/** Names and creates a token; the server's 400 about the name is shown by the field. */
export function NewTokenForm({ onCreated }: { onCreated(token: TokenCreated): void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.createToken(name));
      setName('');
    } catch (err) {
      setError(err instanceof ApiError && err.field === 'name' ? `Name ${err.detail}` : describeError(err));
      document.getElementById(`${id}-name`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card inline-form" onSubmit={submit} noValidate aria-busy={busy}>
      <div className="field">
        <label htmlFor={`${id}-name`}>Token name</label>
        <input
          id={`${id}-name`}
          value={name}
          placeholder="e.g. laptop CLI"
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => setName(e.target.value)}
        />
        {error && (
          <p id={`${id}-error`} className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        Create token
      </button>
    </form>
  );
}
