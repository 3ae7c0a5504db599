/** Why a prompt ended `failed` or `stopped` when no agent said so: what its author reads. */

export const NO_MODEL_ERROR =
  'No model is configured. Set NIGHTSHIFT_MODEL (e.g. anthropic/claude-sonnet-4-5) with the provider key ' +
  '(ANTHROPIC_API_KEY, OPENAI_API_KEY, …), or NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL for an OpenAI-compatible ' +
  'endpoint, then restart `nightshift up` — or name a model on the session or the prompt.';

export const RESTART_ERROR =
  'Nightshift restarted while this prompt was running, and it could not be resumed.';

export const ABANDONED_ERROR = 'the agent did not stop in time and was abandoned';

/** A runner that broke its promise not to throw: its error becomes the prompt's. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
