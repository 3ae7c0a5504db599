import type { Octokit } from '@octokit/rest';
import { rateLimited } from './errors.js';

/** Seconds to wait before asking GitHub again, from a refusal's headers; undefined when it is no rate limit. */
export function retryAfterSeconds(
  status: number,
  headers: Record<string, string | number | undefined>,
  nowMs: number,
): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.max(1, Math.ceil(retryAfter));
  if (String(headers['x-ratelimit-remaining']) !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) ? Math.max(1, Math.ceil(reset - nowMs / 1000)) : 60;
}

/**
 * Once GitHub says to wait, every call through this Octokit fails at once until then, without
 * reaching GitHub: backing off as GitHub asks rather than hammering it.
 */
export function backOffOnRateLimit(octokit: Octokit, now: () => number = Date.now): void {
  let blockedUntil = 0;
  octokit.hook.wrap('request', async (request, options) => {
    const wait = Math.ceil((blockedUntil - now()) / 1000);
    if (wait > 0) throw rateLimited(wait);
    try {
      return await request(options);
    } catch (err) {
      const e = err as {
        status?: number;
        response?: { headers?: Record<string, string | number | undefined> };
      };
      const seconds = e.status ? retryAfterSeconds(e.status, e.response?.headers ?? {}, now()) : undefined;
      if (seconds === undefined) throw err;
      blockedUntil = now() + seconds * 1000;
      throw rateLimited(seconds);
    }
  });
}
