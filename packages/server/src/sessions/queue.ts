import type { SessionStatus } from '@nightshift/protocol';

/**
 * The queue rules, as pure decisions: given where a session stands and what was asked, say what
 * should happen. The session actor carries the effects out. Nothing here touches a clock, a
 * database or a process, so every rule is testable on its own.
 */
export interface QueueState {
  status: SessionStatus;
  running: string | null;
  /** Waiting prompts in the order they were accepted. */
  queued: readonly string[];
}

export type QueueCommand =
  | { type: 'submit'; messageId: string }
  | { type: 'cancel'; messageId: string }
  | { type: 'stop'; clearQueue: boolean }
  | { type: 'finished'; messageId: string }
  | { type: 'archive' }
  | { type: 'unarchive'; restoreTo: SessionStatus };

export type QueueEffect =
  | { type: 'start'; messageId: string }
  | { type: 'abort'; messageId: string }
  | { type: 'cancel'; messageId: string }
  | { type: 'release-sandbox' }
  | { type: 'status'; status: SessionStatus };

export type QueueRejection =
  | { code: 'session_archived'; message: string }
  | { code: 'not_queued'; message: string }
  | { code: 'not_archived'; message: string }
  | { code: 'already_archived'; message: string };

export type QueueDecision =
  | { ok: true; state: QueueState; effects: QueueEffect[]; position?: number }
  | { ok: false; rejection: QueueRejection };

export function decide(state: QueueState, command: QueueCommand): QueueDecision {
  switch (command.type) {
    case 'submit': {
      if (state.status === 'archived') {
        return reject('session_archived', 'the session is archived; unarchive it to send prompts');
      }
      const effects: QueueEffect[] = state.status === 'created' ? [{ type: 'status', status: 'active' }] : [];
      const status: SessionStatus = 'active';
      if (state.running === null && state.queued.length === 0) {
        return {
          ok: true,
          state: { status, running: command.messageId, queued: [] },
          effects: [...effects, { type: 'start', messageId: command.messageId }],
          position: 0,
        };
      }
      const queued = [...state.queued, command.messageId];
      return { ok: true, state: { ...state, status, queued }, effects, position: queued.length };
    }
    case 'cancel': {
      if (!state.queued.includes(command.messageId)) {
        return reject('not_queued', 'the prompt is no longer queued');
      }
      return {
        ok: true,
        state: { ...state, queued: state.queued.filter((id) => id !== command.messageId) },
        effects: [{ type: 'cancel', messageId: command.messageId }],
      };
    }
    case 'stop': {
      const effects: QueueEffect[] = [];
      if (state.running) effects.push({ type: 'abort', messageId: state.running });
      if (!command.clearQueue) return { ok: true, state, effects };
      for (const id of state.queued) effects.push({ type: 'cancel', messageId: id });
      return { ok: true, state: { ...state, queued: [] }, effects };
    }
    case 'finished': {
      if (state.running !== command.messageId) return { ok: true, state, effects: [] };
      const [next, ...rest] = state.queued;
      if (next === undefined || state.status === 'archived') {
        return { ok: true, state: { ...state, running: null }, effects: [] };
      }
      return {
        ok: true,
        state: { ...state, running: next, queued: rest },
        effects: [{ type: 'start', messageId: next }],
      };
    }
    case 'archive': {
      if (state.status === 'archived') return reject('already_archived', 'the session is already archived');
      const effects: QueueEffect[] = [{ type: 'status', status: 'archived' }];
      if (state.running) effects.push({ type: 'abort', messageId: state.running });
      for (const id of state.queued) effects.push({ type: 'cancel', messageId: id });
      effects.push({ type: 'release-sandbox' });
      return { ok: true, state: { ...state, status: 'archived', queued: [] }, effects };
    }
    case 'unarchive': {
      if (state.status !== 'archived') return reject('not_archived', 'the session is not archived');
      return {
        ok: true,
        state: { ...state, status: command.restoreTo },
        effects: [{ type: 'status', status: command.restoreTo }],
      };
    }
  }
}

/** 0 for the running prompt (or one no longer waiting), else its place in the line from 1. */
export function positionOf(state: QueueState, messageId: string): number {
  if (state.running === messageId) return 0;
  return state.queued.indexOf(messageId) + 1;
}

function reject(code: QueueRejection['code'], message: string): QueueDecision {
  return { ok: false, rejection: { code, message } as QueueRejection };
}
