import type { Octokit } from '@octokit/rest';
import { GitHubError } from '../errors.js';
import { retryAfterSeconds } from '../rate-limit.js';

export interface RetryPolicy {
  attempts: number;
  /** The first wait after a 5xx; doubled each time. */
  backoffMs: number;
  /** A Retry-After longer than this is not waited for: the reply is given up. */
  maxWaitMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  backoffMs: 1000,
  maxWaitMs: 120_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/** How long to wait before trying again, or undefined when trying again would not help. */
export function retryDelayMs(err: unknown, attempt: number, policy: RetryPolicy): number | undefined {
  if (err instanceof GitHubError) {
    if (err.kind !== 'rate_limited') return undefined;
    return Number(err.details?.retryAfter ?? 60) * 1000;
  }
  const e = err as { status?: number; response?: { headers?: Record<string, string | number | undefined> } };
  if (typeof e.status !== 'number') return undefined;
  const seconds = retryAfterSeconds(e.status, e.response?.headers ?? {}, Date.now());
  if (seconds !== undefined) return seconds * 1000;
  if (e.status >= 500) return policy.backoffMs * 2 ** attempt;
  return undefined;
}

/** Runs a GitHub call, waiting as GitHub asks on a rate limit and backing off on its 5xx; never in a tight loop. */
export async function withRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      const wait = retryDelayMs(err, attempt, policy);
      if (wait === undefined || attempt + 1 >= policy.attempts || wait > policy.maxWaitMs) throw err;
      await policy.sleep(wait);
    }
  }
}

/** What the App says on an issue or pull request, as itself. */
export class CommentReplies {
  constructor(
    private readonly octokit: Octokit,
    private readonly repo: string,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  private get where() {
    const [owner, repo] = this.repo.split('/') as [string, string];
    return { owner, repo };
  }

  /** 👀 on the comment: seen, and being worked on. */
  async acknowledge(commentId: number): Promise<void> {
    await withRetries(
      () =>
        this.octokit.rest.reactions.createForIssueComment({
          ...this.where,
          comment_id: commentId,
          content: 'eyes',
        }),
      this.policy,
    );
  }

  async reply(issue: number, body: string): Promise<void> {
    await withRetries(
      () => this.octokit.rest.issues.createComment({ ...this.where, issue_number: issue, body }),
      this.policy,
    );
  }
}
