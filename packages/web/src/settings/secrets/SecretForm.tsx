import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '@nightshift/client';
import type { Secret, SecretScope } from '@nightshift/protocol';
import { api } from '../../api/client.js';
import { describeError } from '../../api/errors.js';

type FieldName = 'name' | 'value' | 'scope';

const SCOPES: { scope: SecretScope; label: string; hint: string }[] = [
  { scope: 'agent', label: 'Agent', hint: "setup.sh, start.sh and the agent's own commands get it." },
  {
    scope: 'setup',
    label: 'Setup only',
    hint: 'setup.sh, start.sh and image builds get it; the agent never does.',
  },
];

/**
 * Sets a secret: a new one, or a new value for one already there. The value is sent once and
 * the field emptied; validation is the server's, its 400 shown by the field it names.
 */
export function SecretForm({
  repo,
  replacing,
  onSaved,
  onCancelReplace,
}: {
  repo: string | null;
  replacing: Secret | null;
  onSaved(secret: Secret): void;
  onCancelReplace(): void;
}) {
  const [name, setName] = useState(replacing?.name ?? '');
  const [value, setValue] = useState('');
  const [scope, setScope] = useState<SecretScope>(replacing?.scope ?? 'agent');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    setSaved(null);
    try {
      const secret = await api.putSecret(name.trim(), { value, scope, ...(repo ? { repo } : {}) });
      setName('');
      setValue('');
      setSaved(`Saved ${secret.name}.`);
      onSaved(secret);
    } catch (err) {
      const field = fieldOf(err);
      if (field) {
        setErrors({ [field]: (err as ApiError).detail });
        document.getElementById(`${id}-${field}`)?.focus();
      } else setFormError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const describe = (field: FieldName, hint?: string) =>
    errors[field] ? `${id}-${field}-error` : hint ? `${id}-${field}-hint` : undefined;
  const fieldError = (field: FieldName) =>
    errors[field] && (
      <p id={`${id}-${field}-error`} className="field-error" role="alert">
        {errors[field]}
      </p>
    );

  return (
    <form className="card secret-form" onSubmit={submit} noValidate aria-busy={busy}>
      <h3>{replacing ? `Replace ${replacing.name}` : 'Add a secret'}</h3>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={name}
          placeholder="e.g. NPM_TOKEN"
          autoComplete="off"
          spellCheck={false}
          readOnly={replacing !== null}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describe('name', 'hint')}
          onChange={(e) => setName(e.target.value)}
        />
        {!errors.name && (
          <p id={`${id}-name-hint`} className="hint">
            An environment variable name: letters, digits and _.
          </p>
        )}
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-value`}>Value</label>
        <input
          id={`${id}-value`}
          type="password"
          value={value}
          autoComplete="new-password"
          aria-invalid={errors.value ? true : undefined}
          aria-describedby={describe('value')}
          onChange={(e) => setValue(e.target.value)}
        />
        {fieldError('value')}
      </div>
      <fieldset className="field scope-field" aria-describedby={describe('scope')}>
        <legend>Scope</legend>
        {SCOPES.map((s) => (
          <label key={s.scope} className="radio">
            <input
              type="radio"
              name={`${id}-scope`}
              id={s.scope === scope ? `${id}-scope` : undefined}
              value={s.scope}
              checked={scope === s.scope}
              onChange={() => setScope(s.scope)}
            />
            <span>
              <strong>{s.label}</strong> <span className="muted">— {s.hint}</span>
            </span>
          </label>
        ))}
        {fieldError('scope')}
      </fieldset>
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      {saved && (
        <p className="hint" role="status">
          {saved}
        </p>
      )}
      <div className="actions">
        {replacing && (
          <button type="button" className="button ghost" onClick={onCancelReplace}>
            Cancel
          </button>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {replacing ? 'Replace secret' : 'Save secret'}
        </button>
      </div>
    </form>
  );
}

function fieldOf(err: unknown): FieldName | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  const field = err.field === 'body.name' || err.field === 'params.name' ? 'name' : err.field;
  return field === 'name' || field === 'value' || field === 'scope' ? field : null;
}
