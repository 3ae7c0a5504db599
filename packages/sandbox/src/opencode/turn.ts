/**
 * When has an OpenCode turn ended, and how? Pure: fed OpenCode events (and polled statuses),
 * it answers with the outcome once the session is idle again after having been busy.
 */
import type { OpenCodeEvent } from './translate.js';

export type TurnOutcome = 'completed' | 'stopped' | 'failed';

export interface TurnEnd {
  outcome: TurnOutcome;
  error?: string;
}

export type SessionStatusType = 'idle' | 'busy' | 'retry';

export interface TurnDecision {
  /** Set once the turn is over. */
  end?: TurnEnd;
  /** Set when the turn must be aborted (the provider keeps failing); the reason becomes the error. */
  abort?: string;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** The provider's message from an OpenCode error object (`{ name, data: { message } }`). */
export function errorMessage(error: unknown): string {
  const record = asRecord(error);
  const message = asRecord(record.data).message;
  if (typeof message === 'string' && message.trim()) return message;
  return typeof record.name === 'string' ? record.name : 'OpenCode reported an error';
}

export class TurnTracker {
  private started = false;
  private stopping = false;
  private error: string | undefined;
  private abortedByOpenCode = false;
  private ended: TurnEnd | undefined;

  /**
   * @param maxRetries OpenCode retries retryable provider errors (429, 5xx) with growing delays
   *   and no limit; after this many retries the turn is given up as failed.
   */
  constructor(
    private readonly sessionID: string,
    private readonly maxRetries: number,
  ) {}

  get hasStarted(): boolean {
    return this.started;
  }

  /** The stop was asked for by us: the turn ends as `stopped`, whatever errors the abort causes. */
  requestStop(): void {
    this.stopping = true;
  }

  observe(event: OpenCodeEvent): TurnDecision {
    const props = asRecord(event.properties);
    if (props.sessionID !== undefined && props.sessionID !== this.sessionID) return {};
    switch (event.type) {
      case 'session.status': {
        const status = asRecord(props.status);
        if (status.type === 'retry') return this.retry(Number(status.attempt), String(status.message ?? ''));
        return this.status(status.type as SessionStatusType);
      }
      case 'session.idle':
        return props.sessionID === this.sessionID ? this.status('idle') : {};
      case 'session.error':
        if (props.sessionID === this.sessionID) this.recordError(props.error);
        return {};
      case 'message.updated': {
        const info = asRecord(props.info);
        if (info.sessionID === this.sessionID && info.role === 'assistant' && info.error)
          this.recordError(info.error);
        return {};
      }
      default:
        return {};
    }
  }

  /** A status learned by polling (`GET /session/status`; absent means idle). */
  status(type: SessionStatusType | undefined): TurnDecision {
    if (type === 'busy' || type === 'retry') this.started = true;
    if ((type === 'idle' || type === undefined) && this.started) return { end: this.finish() };
    return this.ended ? { end: this.ended } : {};
  }

  /** Ends the turn now (e.g. the stop grace period ran out, or OpenCode stopped answering). */
  forceEnd(end: TurnEnd): TurnEnd {
    this.ended ??= end;
    return this.ended;
  }

  private retry(attempt: number, message: string): TurnDecision {
    this.started = true;
    if (attempt > this.maxRetries && !this.error) {
      this.error = message || 'the model provider kept failing';
      return { abort: this.error };
    }
    return {};
  }

  private recordError(error: unknown) {
    // Errors that arrive before the turn started belong to an earlier turn.
    if (!this.started || this.ended) return;
    if (asRecord(error).name === 'MessageAbortedError') {
      this.abortedByOpenCode = true;
      return;
    }
    this.error ??= errorMessage(error);
  }

  private finish(): TurnEnd {
    if (this.ended) return this.ended;
    if (this.stopping) this.ended = { outcome: 'stopped' };
    else if (this.error) this.ended = { outcome: 'failed', error: this.error };
    else if (this.abortedByOpenCode) this.ended = { outcome: 'failed', error: 'OpenCode aborted the turn' };
    else this.ended = { outcome: 'completed' };
    return this.ended;
  }
}
