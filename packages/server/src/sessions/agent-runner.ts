import type { Artifact, Author, EventInput } from '@nightshift/protocol';
import type { BridgeCheckpoint, SessionRecord } from '../store/store.js';

/**
 * How prompts run. The session actor decides *when* a prompt runs; a runner decides *how*
 * (a local sandbox, a container, a pod). Nothing in the session logic knows which.
 */
export interface AgentRunner {
  /**
   * Runs one prompt to its end and says how it ended. Agent activity and sandbox lifecycle go
   * to `ctx.emit` as they happen; `Session.sandbox.status` follows the sandbox_* events. Must not throw: a failure is `{outcome: 'failed', error}`.
   */
  run(job: PromptJob, ctx: RunContext): Promise<PromptResult>;
  /** Aborts the session's running prompt; `run` then resolves with `stopped`. */
  stop(sessionId: string): Promise<void>;
  /**
   * The prompt did not stop within the grace period and was given up on: whatever was running it
   * must not serve the next prompt (a sandbox is killed, the next prompt gets a fresh one).
   */
  abandon?(sessionId: string, reason: string): Promise<void>;
  /** Prepares a sandbox ahead of a prompt. Optional: a runner with nothing to prepare skips it. */
  warm?(session: SessionRecord, ctx: SessionContext): Promise<void>;
  /** Frees whatever the session holds (archive, delete, idle). */
  release?(sessionId: string, reason: 'archived' | 'deleted' | 'idle' | 'shutdown'): Promise<void>;
  /**
   * After a control-plane restart: can the prompt that was running still be followed? Returns
   * its result when it can, or `undefined` when it is gone (the actor then fails it).
   */
  reattach?(job: PromptJob, ctx: RunContext): Promise<PromptResult | undefined>;
  close?(): Promise<void>;
}

export interface PromptJob {
  session: SessionRecord;
  messageId: string;
  text: string;
  author: Author;
  /** The model for this prompt: the prompt's own, else the session's, else the server default. */
  model: string | null;
}

export interface SessionContext {
  /**
   * Appends an event to the session's timeline (stored, then broadcast). `checkpoint` names the
   * sandbox bridge message it comes from: stored in the same write, so a restart never applies
   * that message twice.
   */
  emit(event: EventInput, checkpoint?: BridgeCheckpoint): void;
  /** Records an artifact and emits its `artifact_created`. */
  addArtifact(artifact: Omit<Artifact, 'id' | 'createdAt'>): Promise<Artifact>;
  /** Resolves once everything emitted so far is stored (e.g. before acknowledging it upstream). */
  flushed(): Promise<void>;
}

export interface RunContext extends SessionContext {
  signal: AbortSignal;
}

export interface PromptResult {
  outcome: 'completed' | 'stopped' | 'failed';
  error?: string;
}
