import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Author } from '@nightshift/protocol';
import { saveIdentity } from './identity.js';

/** Asks who you are; your name and email go on your prompts, presence and commits. */
export function IdentityDialog({ initial, onClose }: { initial: Author | null; onClose?: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(initial?.name ?? '');
  const [email, setEmail] = useState(initial?.email ?? '');
  const [errors, setErrors] = useState<{ name?: string; email?: string }>({});
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = Author.safeParse({ name, email });
    if (!parsed.success) {
      const next: typeof errors = {};
      for (const issue of parsed.error.issues) next[issue.path[0] as 'name' | 'email'] = issue.message;
      setErrors(next);
      return;
    }
    saveIdentity(parsed.data);
    ref.current?.close();
    onClose?.();
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      // Without an identity there is nothing to go back to, so Escape must not dismiss it.
      onCancel={(e) => (onClose ? onClose() : e.preventDefault())}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>Who are you?</h2>
        <p className="muted">Your name and email go on your prompts and on the commits made for you.</p>
        <Field
          id={`${id}-name`}
          label="Name"
          value={name}
          onChange={setName}
          error={errors.name}
          autoComplete="name"
        />
        <Field
          id={`${id}-email`}
          label="Email"
          type="email"
          value={email}
          onChange={setEmail}
          error={errors.email}
          autoComplete="email"
        />
        <div className="actions">
          {onClose && (
            <button type="button" className="button ghost" onClick={onClose}>
              Cancel
            </button>
          )}
          <button type="submit" className="button primary">
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}

function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string;
  type?: string;
  autoComplete?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error && (
        <p id={`${props.id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}
