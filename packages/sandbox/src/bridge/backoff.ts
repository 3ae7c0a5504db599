/** Capped exponential backoff with jitter. Pure (the random source is a parameter). */

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before attempt `attempt` (0-based): doubling from `initialMs`, capped at `maxMs`, then
 * "equal jitter" — between half and all of it — so many sandboxes do not reconnect in lockstep
 * when the control plane comes back.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
