import type { Author, EventInput, PromptBody, UsageTotals } from '@nightshift/protocol';
import type { MessageRecord, SessionRecord } from '../store/store.js';
import type { AgentRunner, PromptJob, PromptResult, RunContext } from './agent-runner.js';
import { errorMessage, NO_MODEL_ERROR, RESTART_ERROR } from './prompt-failures.js';

/**
 * One prompt's run, apart from the session actor's mailbox and queue: what the runner is given,
 * why a prompt may not run at all, calling the runner so that no failure escapes as a throw, and
 * how the run's end is read. The actor decides when; this says what a run is.
 */

/** A prompt as accepted: waiting for its turn. */
export function queuedMessage(
  at: { id: string; sessionId: string; position: number },
  body: PromptBody,
  author: Author,
): MessageRecord {
  return {
    ...at,
    text: body.text,
    author,
    model: body.model ?? null,
    status: 'queued',
    error: null,
    clientRequestId: body.clientRequestId ?? null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
  };
}

export function promptJob(
  session: SessionRecord,
  message: MessageRecord,
  defaultModel: string | null,
): PromptJob {
  return {
    session,
    messageId: message.id,
    text: message.text,
    author: message.author,
    model: message.model ?? session.model ?? defaultModel,
  };
}

/** Why the prompt fails before reaching a runner (no model anywhere, or its author's budget), or null. */
export async function refusalOf(
  job: PromptJob,
  message: MessageRecord,
  admitPrompt?: (message: MessageRecord) => Promise<string | null>,
): Promise<string | null> {
  if (job.model === null) return NO_MODEL_ERROR;
  return (await admitPrompt?.(message)) ?? null;
}

/** The runner's result; a runner that throws or rejects anyway fails the prompt with its error. */
export function runPrompt(runner: AgentRunner, job: PromptJob, ctx: RunContext): Promise<PromptResult> {
  let result: Promise<PromptResult>;
  try {
    result = runner.run(job, ctx);
  } catch (err) {
    result = Promise.resolve({ outcome: 'failed', error: errorMessage(err) });
  }
  return result.catch((err): PromptResult => ({ outcome: 'failed', error: errorMessage(err) }));
}

/** After a restart: the result of a prompt still followed, or a failure when it is gone. */
export function reattachPrompt(
  reattach: NonNullable<AgentRunner['reattach']>,
  runner: AgentRunner,
  job: PromptJob,
  ctx: RunContext,
): Promise<PromptResult> {
  return reattach
    .call(runner, job, ctx)
    .then((result): PromptResult => result ?? { outcome: 'failed', error: RESTART_ERROR })
    .catch((err): PromptResult => ({ outcome: 'failed', error: String(err) }));
}

/** How the prompt is recorded as ended. */
export function promptEnd(
  result: PromptResult,
  stoppedByPerson: boolean,
): { outcome: PromptResult['outcome']; error: string | null } {
  // A prompt a person stopped ends `stopped` even if the agent reported otherwise on its way out.
  const outcome = stoppedByPerson && result.outcome === 'completed' ? 'stopped' : result.outcome;
  return { outcome, error: outcome === 'completed' ? null : (result.error ?? null) };
}

export function promptCompleted(
  messageId: string,
  end: ReturnType<typeof promptEnd>,
  usage: UsageTotals,
): EventInput {
  const { outcome, error } = end;
  return {
    type: 'prompt_completed',
    // Only a prompt whose agent called a model has usage to report.
    data: {
      messageId,
      outcome,
      ...(error ? { error } : {}),
      ...(usage.inputTokens + usage.outputTokens > 0 ? { usage } : {}),
    },
  };
}
