import type { Author, Participant, PresenceStatus } from '@nightshift/protocol';

/**
 * Who is looking at a session right now. A person with several tabs open is one participant,
 * active if any of their tabs is. Nothing here is stored: presence is ephemeral by design.
 */
export class PresenceRoster {
  private readonly byConnection = new Map<string, Map<string, { user: Author; status: PresenceStatus }>>();

  /** Returns true when the visible participant list changed. */
  set(sessionId: string, connectionId: string, user: Author, status: PresenceStatus): boolean {
    const before = this.key(sessionId);
    let session = this.byConnection.get(sessionId);
    if (!session) this.byConnection.set(sessionId, (session = new Map()));
    session.set(connectionId, { user, status });
    return this.key(sessionId) !== before;
  }

  remove(sessionId: string, connectionId: string): boolean {
    const session = this.byConnection.get(sessionId);
    if (!session?.delete(connectionId)) return false;
    if (session.size === 0) this.byConnection.delete(sessionId);
    return true;
  }

  participants(sessionId: string): Participant[] {
    const merged = new Map<string, Participant>();
    for (const { user, status } of this.byConnection.get(sessionId)?.values() ?? []) {
      const email = user.email.toLowerCase();
      const seen = merged.get(email);
      if (!seen || (seen.status === 'idle' && status === 'active')) merged.set(email, { user, status });
    }
    return [...merged.values()].sort((a, b) => a.user.name.localeCompare(b.user.name));
  }

  private key(sessionId: string): string {
    return JSON.stringify(this.participants(sessionId));
  }
}
