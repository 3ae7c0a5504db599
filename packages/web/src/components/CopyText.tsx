import { useEffect, useRef, useState } from 'react';

/**
 * A line of text (a shell command, a token) with a Copy button. The clipboard API exists only in
 * secure contexts, and Nightshift is often opened over plain http on a LAN address: there the
 * text is selected instead, one keystroke from copied.
 */
export function CopyText({
  text,
  buttonText = 'Copy',
  label = `${buttonText}: ${text}`,
}: {
  text: string;
  buttonText?: string;
  /** The button's accessible name; by default it says what it copies. */
  label?: string;
}) {
  const [copied, setCopied] = useState(false);
  const shown = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(shown.current!);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
  }

  return (
    <div className="copy-command">
      <code ref={shown}>{text}</code>
      <button type="button" className="button small" onClick={() => void copy()} aria-label={label}>
        {copied ? 'Copied' : buttonText}
      </button>
    </div>
  );
}
