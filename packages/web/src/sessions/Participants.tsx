import type { Author, Participant } from '@nightshift/protocol';
import { initials } from '../components/format.js';

/** Who is here (one entry per person, however many tabs they have open) and who is typing. */
export function Participants({
  participants,
  typing,
  reconnecting = false,
}: {
  participants: Participant[];
  typing: Author[];
  reconnecting?: boolean;
}) {
  const people = new Map<string, Participant>();
  for (const p of participants) {
    const seen = people.get(p.user.email);
    if (!seen || (seen.status === 'idle' && p.status === 'active')) people.set(p.user.email, p);
  }
  return (
    <section className="participants" aria-label="Participants">
      <h3>Participants</h3>
      <ul>
        {[...people.values()].map((p) => (
          <li key={p.user.email} title={p.user.email}>
            <span className={`avatar presence-${p.status}`} aria-hidden="true">
              {initials(p.user.name)}
            </span>
            <span className="participant-name">{p.user.name}</span>
            <span className="muted">{p.status}</span>
          </li>
        ))}
        {people.size === 0 && (
          <li className="muted">{reconnecting ? 'Unknown until reconnected' : 'Nobody here yet'}</li>
        )}
      </ul>
      <p className="typing" aria-live="polite">
        {typing.length > 0 &&
          `${typing.map((u) => u.name).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}
      </p>
    </section>
  );
}
