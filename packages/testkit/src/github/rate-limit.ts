/**
 * GitHub's exhausted rate limit: every REST call answers 403 (or 429) with
 * `x-ratelimit-remaining: 0`, the reset time and `retry-after`, until the reset passes.
 */
import { githubError, type GitHubResponse } from './routes.js';
import type { GitHubState } from './state.js';

export interface RateLimitOptions {
  /** 0 exhausts the limit; anything above lifts it. */
  remaining: number;
  resetInSeconds?: number;
  /** GitHub answers 403 for the primary limit, 429 for some secondary ones. Default 403. */
  status?: 403 | 429;
}

export function setRateLimit(state: GitHubState, options: RateLimitOptions): void {
  state.rateLimit =
    options.remaining > 0
      ? undefined
      : {
          status: options.status ?? 403,
          reset: Math.ceil(Date.now() / 1000) + (options.resetInSeconds ?? 60),
        };
}

export function rateLimited(state: GitHubState): GitHubResponse | undefined {
  const limit = state.rateLimit;
  if (!limit) return undefined;
  const now = Math.floor(Date.now() / 1000);
  if (now >= limit.reset) {
    state.rateLimit = undefined;
    return undefined;
  }
  const refusal = githubError(
    limit.status,
    'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.',
  );
  return {
    ...refusal,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(limit.reset),
      'x-ratelimit-resource': 'core',
      'retry-after': String(Math.max(1, limit.reset - now)),
    },
  };
}
