// When the App's replies try GitHub again, and when they give up: as GitHub asks, never in a loop.
import { describe, expect, it } from 'vitest';
import { rateLimited } from '../src/github/errors.js';
import { retryDelayMs, withRetries, type RetryPolicy } from '../src/github/comment-triggers/replies.js';

function policy(): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return {
    attempts: 4,
    backoffMs: 1000,
    maxWaitMs: 120_000,
    waits,
    sleep: async (ms) => void waits.push(ms),
  };
}

const refusal = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, response: { headers } });

describe('replies to GitHub: retries', () => {
  it('waits what Retry-After says, then what the rate limit reset says', () => {
    const p = policy();
    expect(retryDelayMs(refusal(429, { 'retry-after': '3' }), 0, p)).toBe(3000);
    const reset = String(Math.ceil(Date.now() / 1000) + 10);
    const wait = retryDelayMs(
      refusal(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
      0,
      p,
    )!;
    expect(wait).toBeGreaterThan(8000);
    expect(wait).toBeLessThanOrEqual(11_000);
    expect(retryDelayMs(rateLimited(7), 0, p)).toBe(7000);
  });

  it('backs off on 5xx, doubling; a 4xx that is no rate limit is not retried', () => {
    const p = policy();
    expect([0, 1, 2].map((attempt) => retryDelayMs(refusal(502), attempt, p))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs(refusal(403), 0, p)).toBeUndefined();
    expect(retryDelayMs(refusal(404), 0, p)).toBeUndefined();
    expect(retryDelayMs(new Error('socket hang up'), 0, p)).toBeUndefined();
  });

  it('tries at most `attempts` times, and gives up at once on a wait longer than it will sit through', async () => {
    const p = policy();
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls += 1;
        throw refusal(503);
      }, p),
    ).rejects.toThrow('HTTP 503');
    expect(calls).toBe(4);
    expect(p.waits).toEqual([1000, 2000, 4000]);

    const q = policy();
    calls = 0;
    await expect(
      withRetries(async () => {
        calls += 1;
        throw refusal(429, { 'retry-after': '3600' });
      }, q),
    ).rejects.toThrow('HTTP 429');
    expect(calls).toBe(1);
    expect(q.waits).toEqual([]);
  });

  it('answers what the call answers once it goes through', async () => {
    const p = policy();
    let calls = 0;
    const answer = await withRetries(async () => {
      calls += 1;
      if (calls === 1) throw refusal(429, { 'retry-after': '1' });
      return 'sent';
    }, p);
    expect(answer).toBe('sent');
    expect(p.waits).toEqual([1000]);
  });
});
