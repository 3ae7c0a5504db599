import { useId, useState, type KeyboardEvent } from 'react';
import { describeError } from '../api/errors.js';

interface Props {
  disabled: boolean;
  disabledReason?: string;
  running: boolean;
  onSend(text: string): Promise<void>;
  onStop(): Promise<void>;
  onTyping(): void;
}

/** The prompt box: Enter sends, Shift+Enter adds a line; Stop while a prompt runs. */
export function Composer({ disabled, disabledReason, running, onSend, onStop, onTyping }: Props) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function send() {
    const value = text.trim();
    if (!value || sending || disabled) return;
    setSending(true);
    setError(null);
    try {
      await onSend(value);
      setText('');
    } catch (err) {
      // Keep the text so nothing typed is lost; the request id makes a retry safe.
      setError(describeError(err));
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label htmlFor={`${id}-prompt`} className="visually-hidden">
        Prompt
      </label>
      <textarea
        id={`${id}-prompt`}
        value={text}
        rows={2}
        placeholder={disabled ? disabledReason : 'Describe a task — Enter sends, Shift+Enter adds a line'}
        disabled={disabled}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) onTyping();
        }}
        onKeyDown={onKeyDown}
      />
      <div className="composer-actions">
        {running && (
          <button
            type="button"
            className="button danger"
            onClick={() => void onStop().catch(() => undefined)}
          >
            Stop
          </button>
        )}
        <button type="submit" className="button primary" disabled={disabled || sending || !text.trim()}>
          Send
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error composer-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
