import { useEffect, useId, useRef, useState } from 'react';
import { describeError } from '../api/errors.js';

/**
 * Asks before something that cannot be undone (revoking a token, deleting a secret). The action
 * runs from here, so a refusal is shown where the person is looking, and the dialog stays open.
 */
export function ConfirmDialog({
  title,
  message,
  confirmText,
  onConfirm,
  onClose,
}: {
  title: string;
  message: string;
  confirmText: string;
  onConfirm(): Promise<void>;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-message`}
      onCancel={onClose}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-message`}>{message}</p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button ghost" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={() => void confirm()} disabled={busy}>
          {confirmText}
        </button>
      </div>
    </dialog>
  );
}
