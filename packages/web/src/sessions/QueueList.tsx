/** Prompts waiting their turn, each cancellable until it starts. */
export function QueueList({
  queued,
  textOf,
  onCancel,
}: {
  queued: readonly string[];
  textOf(messageId: string): string | undefined;
  onCancel(messageId: string): void;
}) {
  if (queued.length === 0) return null;
  return (
    <section className="queue" aria-label="Queue">
      <h3>Queued ({queued.length})</h3>
      <ol>
        {queued.map((id, i) => {
          const text = textOf(id);
          return (
            <li key={id}>
              <span className="queue-pos">{i + 1}</span>
              <span className="queue-text">{text ?? '…'}</span>
              <button
                type="button"
                className="button small ghost"
                aria-label={`Cancel${text !== undefined ? `: ${text.slice(0, 40)}` : ''}`}
                onClick={() => onCancel(id)}
              >
                Cancel
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
