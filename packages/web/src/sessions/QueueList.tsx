/** Prompts waiting their turn, each with who sent it (sessions are shared), cancellable until it starts. */
export function QueueList({
  queued,
  textOf,
  authorOf,
  onCancel,
}: {
  queued: readonly string[];
  textOf(messageId: string): string | undefined;
  authorOf(messageId: string): string | undefined;
  onCancel(messageId: string): void;
}) {
  if (queued.length === 0) return null;
  return (
    <section className="queue" aria-label="Queue">
      <h3>Queued ({queued.length})</h3>
      <ol>
        {queued.map((id, i) => {
          const text = textOf(id);
          const author = authorOf(id);
          return (
            <li key={id}>
              <span className="queue-pos">{i + 1}</span>
              {author !== undefined && <span className="queue-author">{author}</span>}
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
