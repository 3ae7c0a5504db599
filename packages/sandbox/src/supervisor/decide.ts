/**
 * The supervisor's decisions, apart from their effects: given its state and what happened (a
 * command from the control plane, the start finishing, a prompt ending), the next state and what
 * to do. Pure; `supervisor.ts` carries the actions out.
 */
import type { PromptOutcome } from '@nightshift/protocol';
import type { BridgeCommand } from '../bridge/client.js';

export type PromptCommand = Extract<BridgeCommand, { type: 'prompt' }>;

export interface SupervisorState {
  /** starting → ready, or → failed (start.sh, clone, OpenCode); any → stopping on shutdown. */
  lifecycle: 'starting' | 'ready' | 'failed' | 'stopping';
  /** Why the start failed: every prompt is answered with it. */
  failure: string | null;
  running: { messageId: string; stopping: boolean } | null;
  /** Prompts received while starting or busy, run in order. */
  queue: PromptCommand[];
  /**
   * Prompts already answered, with their answer: a re-sent prompt (the control plane re-issues
   * one after a reconnect) runs once and is answered again from here.
   */
  finished: ReadonlyMap<string, Answer>;
}

export interface Answer {
  outcome: PromptOutcome;
  error?: string;
}

export type SupervisorEvent =
  | { type: 'command'; command: BridgeCommand }
  | { type: 'ready' }
  | { type: 'start_failed'; error: string }
  | { type: 'prompt_done'; messageId: string; outcome: PromptOutcome; error?: string };

export type Action =
  | { kind: 'run'; prompt: PromptCommand }
  | { kind: 'abort'; messageId: string }
  /** A prompt_result for a prompt that never ran. */
  | { kind: 'answer'; messageId: string; outcome: PromptOutcome; error?: string }
  | { kind: 'report_error'; message: string }
  | { kind: 'shutdown' }
  | { kind: 'log'; message: string };

export const SNAPSHOT_UNSUPPORTED = 'snapshots are not supported by this sandbox yet';

export function initialState(): SupervisorState {
  return { lifecycle: 'starting', failure: null, running: null, queue: [], finished: new Map() };
}

export function decide(
  state: SupervisorState,
  event: SupervisorEvent,
): { state: SupervisorState; actions: Action[] } {
  switch (event.type) {
    case 'ready':
      if (state.lifecycle !== 'starting') return { state, actions: [] };
      return startNext({ ...state, lifecycle: 'ready' }, []);
    case 'start_failed': {
      if (state.lifecycle !== 'starting') return { state, actions: [] };
      const answers = state.queue.map((p): Action => ({
        kind: 'answer',
        messageId: p.messageId,
        outcome: 'failed',
        error: event.error,
      }));
      return {
        state: {
          ...state,
          lifecycle: 'failed',
          failure: event.error,
          queue: [],
          finished: withAnswers(
            state.finished,
            state.queue.map((p) => [p.messageId, { outcome: 'failed', error: event.error }]),
          ),
        },
        actions: answers,
      };
    }
    case 'prompt_done': {
      const next = {
        ...state,
        running: state.running?.messageId === event.messageId ? null : state.running,
        finished: withAnswers(state.finished, [
          [event.messageId, { outcome: event.outcome, ...(event.error ? { error: event.error } : {}) }],
        ]),
      };
      return next.lifecycle === 'ready' ? startNext(next, []) : { state: next, actions: [] };
    }
    case 'command':
      return onCommand(state, event.command);
  }
}

function onCommand(
  state: SupervisorState,
  command: BridgeCommand,
): { state: SupervisorState; actions: Action[] } {
  switch (command.type) {
    case 'prompt': {
      const id = command.messageId;
      if (state.lifecycle === 'stopping')
        return { state, actions: [{ kind: 'log', message: `prompt ${id} ignored: shutting down` }] };
      if (state.running?.messageId === id || state.queue.some((p) => p.messageId === id))
        return { state, actions: [{ kind: 'log', message: `prompt ${id} received again; it runs once` }] };
      const answered = state.finished.get(id);
      // Asked again after it ended: the control plane did not get (or lost) the result. Say it
      // again rather than leave it waiting; the commit was reported with the first answer.
      if (answered)
        return {
          state,
          actions: [
            { kind: 'log', message: `prompt ${id} received again after it ended; answering again` },
            { kind: 'answer', messageId: id, ...answered },
          ],
        };
      if (state.lifecycle === 'failed') {
        const answer: Answer = {
          outcome: 'failed',
          error: `the sandbox failed to start: ${state.failure ?? 'unknown reason'}`,
        };
        return {
          state: { ...state, finished: withAnswers(state.finished, [[id, answer]]) },
          actions: [{ kind: 'answer', messageId: id, ...answer }],
        };
      }
      const queued = { ...state, queue: [...state.queue, command] };
      return state.lifecycle === 'ready' ? startNext(queued, []) : { state: queued, actions: [] };
    }
    case 'stop': {
      const { running } = state;
      if (running && (command.messageId === null || command.messageId === running.messageId)) {
        if (running.stopping) return { state, actions: [] };
        return {
          state: { ...state, running: { ...running, stopping: true } },
          actions: [{ kind: 'abort', messageId: running.messageId }],
        };
      }
      const queued = state.queue.find((p) => p.messageId === command.messageId);
      if (queued)
        return {
          state: {
            ...state,
            queue: state.queue.filter((p) => p !== queued),
            finished: withAnswers(state.finished, [[queued.messageId, { outcome: 'stopped' }]]),
          },
          actions: [{ kind: 'answer', messageId: queued.messageId, outcome: 'stopped' }],
        };
      return { state, actions: [{ kind: 'log', message: 'stop ignored: that prompt is not running here' }] };
    }
    case 'snapshot':
      return { state, actions: [{ kind: 'report_error', message: SNAPSHOT_UNSUPPORTED }] };
    case 'shutdown': {
      if (state.lifecycle === 'stopping') return { state, actions: [] };
      const actions: Action[] = [];
      if (state.running && !state.running.stopping)
        actions.push({ kind: 'abort', messageId: state.running.messageId });
      for (const p of state.queue)
        actions.push({ kind: 'answer', messageId: p.messageId, outcome: 'stopped' });
      actions.push({ kind: 'shutdown' });
      return {
        state: {
          ...state,
          lifecycle: 'stopping',
          running: state.running ? { ...state.running, stopping: true } : null,
          queue: [],
          finished: withAnswers(
            state.finished,
            state.queue.map((p) => [p.messageId, { outcome: 'stopped' }]),
          ),
        },
        actions,
      };
    }
  }
}

/** One prompt at a time: start the first queued one when nothing runs. */
function startNext(state: SupervisorState, actions: Action[]): { state: SupervisorState; actions: Action[] } {
  const [next, ...rest] = state.queue;
  if (state.running || !next) return { state, actions };
  return {
    state: { ...state, running: { messageId: next.messageId, stopping: false }, queue: rest },
    actions: [...actions, { kind: 'run', prompt: next }],
  };
}

function withAnswers(
  map: ReadonlyMap<string, Answer>,
  entries: Array<[string, Answer]>,
): ReadonlyMap<string, Answer> {
  if (entries.length === 0) return map;
  const next = new Map(map);
  for (const [id, answer] of entries) next.set(id, answer);
  return next;
}
