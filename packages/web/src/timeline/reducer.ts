import type { Author, EventDataOf, MessageStatus, SessionEvent, SessionStatus } from '@nightshift/protocol';
import { PVec } from './pvec.js';
import type { PromptRow, PullRequestView, Row, SandboxRow, SandboxState } from './types.js';
import { pullRequestFromArtifact, pullRequestAfter } from './pull-request.js';

/**
 * Timeline view state, built from events by a pure reducer.
 *
 * Events are applied strictly in `seq` order: a duplicate (seq already applied) is ignored, an
 * early one (a gap before it) is held until the gap is filled. So replays after a reconnect,
 * overlapping REST pages and reordered frames all converge on the same state.
 *
 * Cost: a text delta touches one row (O(log32 n) in the persistent vector) and one index
 * lookup; nothing is proportional to the length of the timeline.
 */
export interface TimelineState {
  /** Highest seq applied; every seq up to it has been applied exactly once. */
  readonly seq: number;
  /** Events that arrived ahead of a gap, by seq. Usually empty. */
  readonly held: ReadonlyMap<number, SessionEvent>;
  readonly rows: PVec<Row>;
  /** Message ids waiting to run, in queue order. */
  readonly queued: readonly string[];
  /**
   * Prompts sent while another runs, not yet on the timeline: placed when they start, or (if
   * cancelled first) once nothing is running, so the running prompt's work is never shown under
   * a later prompt. The queue panel shows them meanwhile. In queue order.
   */
  readonly pending: ReadonlyMap<string, PromptRow>;
  readonly running: string | null;
  /** When the running prompt started (its `prompt_started`), for a clock while it works. */
  readonly runningSince: string | null;
  readonly sessionStatus: SessionStatus | null;
  readonly sandbox: SandboxState;
  readonly totals: { readonly cost: number; readonly inputTokens: number; readonly outputTokens: number };
  /** Row index of the sandbox start in progress, if any. */
  readonly sandboxRow: number | null;
  /** Whether the agent has pushed work to the session's branch (a pushed commit or the branch). */
  readonly pushed: boolean;
  /** The session's pull request, once one is opened. */
  readonly pullRequest: PullRequestView | null;
  readonly index: RowIndex;
}

/**
 * Key → row index (a message's prompt row, a text part, a tool call). Shared between
 * successive states and only ever appended to: a key always maps to the same index, and an
 * entry whose index is past a state's row count does not exist for that state. So older states
 * read it correctly without copying; only reducing from an older state again (a fork) copies it.
 */
class RowIndex {
  private readonly map: Map<string, number>;
  /** The newest state built on this index; a reduction from any other state forks it. */
  head: TimelineState | null = null;

  constructor(entries?: Iterable<[string, number]>) {
    this.map = new Map(entries);
  }

  get(key: string, size: number): number | undefined {
    const i = this.map.get(key);
    return i !== undefined && i < size ? i : undefined;
  }

  set(key: string, index: number): void {
    this.map.set(key, index);
  }

  forkFor(size: number): RowIndex {
    return new RowIndex([...this.map].filter(([, i]) => i < size));
  }
}

export function initialTimeline(sandboxStatus: SandboxState['status'] = 'none'): TimelineState {
  const state: TimelineState = {
    seq: 0,
    held: new Map(),
    rows: PVec.empty(),
    queued: [],
    pending: new Map(),
    running: null,
    runningSince: null,
    sessionStatus: null,
    sandbox: { status: sandboxStatus },
    totals: { cost: 0, inputTokens: 0, outputTokens: 0 },
    sandboxRow: null,
    pushed: false,
    pullRequest: null,
    index: new RowIndex(),
  };
  state.index.head = state;
  return state;
}

/** Applies one event frame (in any order, possibly repeated). */
export function reduceTimeline(state: TimelineState, event: SessionEvent): TimelineState {
  return applyEvents(state, [event]);
}

/** Applies many frames at once (a replay); same result as reducing them one by one. */
export function applyEvents(state: TimelineState, events: readonly SessionEvent[]): TimelineState {
  let draft: Draft | null = null;
  let held = state.held;
  for (const event of events) {
    if (!Number.isInteger(event.seq) || event.seq <= (draft?.seq ?? state.seq)) continue; // duplicate
    draft ??= startDraft(state);
    if (event.seq > draft.seq + 1) {
      if (!held.has(event.seq)) held = withEntry(held, event.seq, event);
      continue;
    }
    applyOne(draft, event);
    // Drain whatever the gap was holding back.
    while (held.size > 0) {
      const next = held.get(draft.seq + 1);
      if (!next) break;
      held = withoutEntry(held, next.seq);
      applyOne(draft, next);
    }
  }
  if (!draft) return held === state.held ? state : { ...state, held };
  const next: TimelineState = { ...draft, held };
  next.index.head = next;
  return next;
}

/** The mutable working copy of one reduction; its fields are replaced, never mutated in place. */
type Draft = { -readonly [K in keyof TimelineState]: TimelineState[K] };

function startDraft(state: TimelineState): Draft {
  const index = state.index.head === state ? state.index : state.index.forkFor(state.rows.size);
  return { ...state, index };
}

function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const copy = new Map(map);
  copy.set(key, value);
  return copy;
}

function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

function push(d: Draft, row: Row, indexKey?: string): number {
  const i = d.rows.size;
  d.rows = d.rows.push(row);
  if (indexKey) d.index.set(indexKey, i);
  return i;
}

function update<R extends Row>(d: Draft, i: number, patch: (row: R) => R): void {
  d.rows = d.rows.set(i, patch(d.rows.get(i) as R));
}

const promptKey = (messageId: string) => `m:${messageId}`;

function applyOne(d: Draft, event: SessionEvent): void {
  d.seq = event.seq;
  const base = { seq: event.seq, at: event.at };
  switch (event.type) {
    case 'prompt_queued': {
      const { messageId, author, text } = event.data;
      if (d.index.get(promptKey(messageId), d.rows.size) !== undefined || d.pending.has(messageId)) return;
      const row: PromptRow = {
        ...base,
        kind: 'prompt',
        key: `p:${messageId}`,
        messageId,
        author,
        status: 'queued',
        ...(text !== undefined ? { text } : {}),
      };
      // Next in line: shown at once, so the sender sees it while the sandbox starts.
      if (d.running === null && d.queued.length === 0) push(d, row, promptKey(messageId));
      else d.pending = withEntry(d.pending, messageId, row);
      if (!d.queued.includes(messageId)) d.queued = [...d.queued, messageId];
      return;
    }
    case 'prompt_started': {
      const { messageId } = event.data;
      d.queued = d.queued.filter((id) => id !== messageId);
      d.running = messageId;
      d.runningSince = event.at;
      place(d, messageId);
      setPromptStatus(d, messageId, 'running');
      return;
    }
    case 'prompt_completed':
      return completePrompt(d, event.data, base);
    case 'prompt_cancelled': {
      const { messageId } = event.data;
      d.queued = d.queued.filter((id) => id !== messageId);
      setPromptStatus(d, messageId, 'cancelled');
      if (d.running === null) place(d, messageId);
      return;
    }
    case 'sandbox_event':
      return applyActivity(d, event.data, base);
    case 'sandbox_spawning': {
      const row: SandboxRow = {
        ...base,
        kind: 'sandbox',
        key: `s:${event.seq}`,
        mode: event.data.mode,
        phases: [],
      };
      d.sandboxRow = push(d, row);
      d.sandbox = { status: 'spawning', startingSince: event.at };
      return;
    }
    case 'sandbox_status': {
      const { status, phase, durationMs } = event.data;
      const starting = isStarting(status);
      d.sandbox = {
        status,
        phase,
        phaseMs: durationMs,
        startingSince: starting ? (d.sandbox.startingSince ?? event.at) : undefined,
      };
      if (d.sandboxRow !== null) {
        update<SandboxRow>(d, d.sandboxRow, (r) => ({ ...r, phases: [...r.phases, event.data] }));
        if (!starting) d.sandboxRow = null;
      }
      return;
    }
    case 'sandbox_ready': {
      d.sandbox = { status: 'ready' };
      if (d.sandboxRow !== null) {
        update<SandboxRow>(d, d.sandboxRow, (r) => ({ ...r, readyMs: event.data.durationMs }));
        d.sandboxRow = null;
      }
      return;
    }
    case 'sandbox_error': {
      const { message, phase } = event.data;
      d.sandbox = { status: 'failed', phase, error: message };
      if (d.sandboxRow !== null) {
        update<SandboxRow>(d, d.sandboxRow, (r) => ({ ...r, error: message }));
        d.sandboxRow = null;
      } else {
        push(d, {
          ...base,
          kind: 'notice',
          key: `e:${event.seq}`,
          tone: 'error',
          text: `Sandbox error: ${message}`,
        });
      }
      return;
    }
    case 'artifact_created': {
      const artifact = event.data;
      push(d, { ...base, kind: 'artifact', key: `a:${artifact.id}`, artifact });
      if (artifact.type === 'branch' || (artifact.type === 'commit' && artifact.data.pushed !== false))
        d.pushed = true;
      if (artifact.type === 'pull_request')
        d.pullRequest = pullRequestFromArtifact(artifact) ?? d.pullRequest;
      return;
    }
    case 'pull_request_updated':
      push(d, { ...base, kind: 'pull_request', key: `pr:${event.seq}`, update: event.data });
      d.pullRequest = pullRequestAfter(d.pullRequest, event.data);
      return;
    case 'session_status': {
      const { status } = event.data;
      const was = d.sessionStatus;
      d.sessionStatus = status;
      // Only archiving and restoring are worth a line; `created → active` is noise.
      if (status === 'archived') {
        push(d, { ...base, kind: 'notice', key: `n:${event.seq}`, tone: 'info', text: 'Session archived' });
        d.sandbox = { status: 'none' };
      } else if (was === 'archived') {
        push(d, { ...base, kind: 'notice', key: `n:${event.seq}`, tone: 'info', text: 'Session restored' });
      }
      return;
    }
    case 'snapshot_saved':
      return; // Bookkeeping; nothing a reader of the timeline needs.
    default:
      return; // Unknown (newer) event types advance seq and are otherwise ignored.
  }
}

function isStarting(status: SandboxState['status']): boolean {
  return status === 'spawning' || status === 'syncing' || status === 'setup' || status === 'starting';
}

function setPromptStatus(d: Draft, messageId: string, status: MessageStatus): void {
  const waiting = d.pending.get(messageId);
  if (waiting) {
    d.pending = withEntry(d.pending, messageId, { ...waiting, status });
    return;
  }
  const i = d.index.get(promptKey(messageId), d.rows.size);
  if (i === undefined) return;
  update(d, i, (r) => (r.kind === 'prompt' ? { ...r, status } : r));
}

/** Moves a pending prompt onto the timeline, at its end. */
function place(d: Draft, messageId: string): void {
  const row = d.pending.get(messageId);
  if (!row) return;
  d.pending = withoutEntry(d.pending, messageId);
  push(d, row, promptKey(messageId));
}

function completePrompt(
  d: Draft,
  data: EventDataOf<'prompt_completed'>,
  base: { seq: number; at: string },
): void {
  const { messageId, outcome, error } = data;
  if (d.running === messageId) {
    d.running = null;
    d.runningSince = null;
  }
  d.queued = d.queued.filter((id) => id !== messageId);
  // Ended without starting (e.g. failed before a sandbox was up): its outcome needs it above.
  place(d, messageId);
  setPromptStatus(d, messageId, outcome);
  push(d, { ...base, kind: 'outcome', key: `o:${messageId}:${base.seq}`, messageId, outcome, error });
  // Prompts cancelled while this one ran come after its outcome, not in the middle of its work.
  if (d.running === null) for (const [id, row] of d.pending) if (row.status === 'cancelled') place(d, id);
}

function applyActivity(
  d: Draft,
  data: EventDataOf<'sandbox_event'>,
  base: { seq: number; at: string },
): void {
  const { messageId } = data;
  if (data.kind === 'text') {
    const key = `t:${messageId}:${data.partId}`;
    const i = d.index.get(key, d.rows.size);
    if (i === undefined) {
      push(d, { ...base, kind: 'text', key, messageId, partId: data.partId, text: data.delta }, key);
    } else {
      update(d, i, (r) => (r.kind === 'text' ? { ...r, text: r.text + data.delta } : r));
    }
    return;
  }
  if (data.kind === 'tool') {
    const key = `c:${messageId}:${data.callId}`;
    const i = d.index.get(key, d.rows.size);
    const { kind: _kind, ...fields } = data;
    if (i === undefined) push(d, { ...base, ...fields, kind: 'tool', key }, key);
    // Later states keep earlier fields they do not repeat (e.g. input sent only when pending).
    else update(d, i, (r) => (r.kind === 'tool' ? { ...r, ...definedOnly(fields) } : r));
    return;
  }
  push(d, { ...base, kind: 'step', key: `st:${base.seq}`, messageId, tokens: data.tokens, cost: data.cost });
  d.totals = {
    cost: d.totals.cost + (data.cost ?? 0),
    inputTokens: d.totals.inputTokens + (data.tokens?.input ?? 0),
    outputTokens: d.totals.outputTokens + (data.tokens?.output ?? 0),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A prompt's row on this timeline. */
export function promptOf(state: TimelineState, messageId: string): PromptRow | undefined {
  const waiting = state.pending.get(messageId);
  if (waiting) return waiting;
  const i = state.index.get(promptKey(messageId), state.rows.size);
  const row = i === undefined ? undefined : state.rows.get(i);
  return row?.kind === 'prompt' ? row : undefined;
}

/** The author of a prompt on this timeline. */
export function authorOf(state: TimelineState, messageId: string): Author | undefined {
  return promptOf(state, messageId)?.author;
}
