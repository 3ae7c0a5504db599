import type {
  Artifact,
  Author,
  MessageStatus,
  PromptOutcome,
  PullRequestState,
  PullRequestUpdated,
  SandboxMode,
  SandboxStatus,
  SessionEvent,
  StepActivity,
  ToolStatus,
} from '@nightshift/protocol';

/** Fields every rendered timeline row has: a stable React key and where it came from. */
interface RowBase {
  key: string;
  seq: number;
  at: string;
}

export interface PromptRow extends RowBase {
  kind: 'prompt';
  messageId: string;
  author: Author;
  status: MessageStatus;
  /** From the event; older events lack it and the text comes from the messages list. */
  text?: string;
}

export interface TextRow extends RowBase {
  kind: 'text';
  messageId: string;
  partId: string;
  /** Grows by string concatenation, which V8 does in O(1) (ropes). */
  text: string;
}

export interface ToolRow extends RowBase {
  kind: 'tool';
  messageId: string;
  callId: string;
  tool: string;
  title?: string;
  status: ToolStatus;
  input?: unknown;
  output?: string;
  error?: string;
}

export interface StepRow extends RowBase {
  kind: 'step';
  messageId: string;
  tokens?: StepActivity['tokens'];
  cost?: number;
}

export interface OutcomeRow extends RowBase {
  kind: 'outcome';
  messageId: string;
  outcome: PromptOutcome | 'cancelled';
  error?: string;
}

export interface SandboxPhase {
  status: SandboxStatus;
  phase?: string;
  durationMs?: number;
  output?: string;
}

/** One sandbox start, from `sandbox_spawning` to ready or failed, updated in place. */
export interface SandboxRow extends RowBase {
  kind: 'sandbox';
  mode: SandboxMode;
  phases: readonly SandboxPhase[];
  readyMs?: number;
  error?: string;
}

export interface ArtifactRow extends RowBase {
  kind: 'artifact';
  artifact: Artifact;
}

export interface NoticeRow extends RowBase {
  kind: 'notice';
  text: string;
  tone: 'info' | 'error';
}

/** Something that happened to the session's pull request on GitHub: merged, reviewed, checked… */
export interface PullRequestRow extends RowBase {
  kind: 'pull_request';
  update: PullRequestUpdated;
}

export type Row =
  | PromptRow
  | TextRow
  | ToolRow
  | StepRow
  | OutcomeRow
  | SandboxRow
  | ArtifactRow
  | NoticeRow
  | PullRequestRow;

/** The session's pull request as the header shows it, from its artifact and later updates. */
export interface PullRequestView {
  number: number;
  url: string | null;
  state: PullRequestState;
  /** Undefined while unknown: an artifact need not say, and GitHub's updates say when it changes. */
  draft?: boolean;
}

/** What the sandbox is doing now, for the status bar above the composer. */
export interface SandboxState {
  status: SandboxStatus;
  phase?: string;
  /** How long `phase` took: phases are reported as they finish, so this one is done. */
  phaseMs?: number;
  /** When the current start began (the `at` of `sandbox_spawning`), while it is starting. */
  startingSince?: string;
  error?: string;
}

export type { SessionEvent };
