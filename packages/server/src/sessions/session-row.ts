import type { EventInput, SessionStatus } from '@nightshift/protocol';
import type { SessionRecord, SessionRepo } from '../store/store.js';
import type { Logger } from '../log.js';
import { sandboxStatusAfter } from './sandbox-status.js';

/**
 * The session's own row, held in memory and written through to the store. Only the session's
 * actor holds one, so what it reads is always what was last written.
 */
export class SessionRow {
  constructor(
    private current: SessionRecord,
    private readonly sessions: SessionRepo,
    private readonly log: Logger,
  ) {}

  get record(): SessionRecord {
    return this.current;
  }

  async setStatus(status: SessionStatus): Promise<void> {
    const updatedAt = new Date().toISOString();
    this.current = { ...this.current, status, updatedAt };
    await this.sessions.update(this.current.id, { status, updatedAt });
  }

  /** Unarchiving restores the status the session had before it was archived. */
  async rememberStatusBeforeArchive(): Promise<void> {
    const statusBeforeArchive = this.current.status;
    this.current = { ...this.current, statusBeforeArchive };
    await this.sessions.update(this.current.id, { statusBeforeArchive });
  }

  async touch(): Promise<void> {
    const updatedAt = new Date().toISOString();
    this.current = { ...this.current, updatedAt };
    await this.sessions.update(this.current.id, { updatedAt });
  }

  /** `sandbox.status` follows the timeline; written in the background, as events are. */
  follow(event: EventInput): void {
    const sandboxStatus = sandboxStatusAfter(this.current.sandboxStatus, event);
    if (sandboxStatus === this.current.sandboxStatus) return;
    const updatedAt = new Date().toISOString();
    this.current = { ...this.current, sandboxStatus, updatedAt };
    const sessionId = this.current.id;
    this.sessions
      .update(sessionId, { sandboxStatus, updatedAt })
      .catch((err) => this.log.error({ err, sessionId }, 'could not store sandbox status'));
  }
}
