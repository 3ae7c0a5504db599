import { z } from 'zod';

/** A pull request as the timeline and the UI show it: GitHub's open/closed, with merged apart. */
export const PullRequestState = z.enum(['open', 'closed', 'merged']);
export type PullRequestState = z.infer<typeof PullRequestState>;

/**
 * `pull_request_updated`: something happened to the session's pull request on GitHub (its
 * webhooks). `state` is the pull request's state after it; the extras say what happened.
 */
export const PullRequestUpdated = z.object({
  number: z.number().int().positive(),
  state: PullRequestState,
  /** The GitHub login of whoever did it (merged, closed, reviewed, pushed). */
  by: z.string().optional(),
  /** The webhook's action: opened, closed, reopened, synchronize, edited, submitted, created, completed. */
  action: z.string().optional(),
  /** A review: its state (approved, changes_requested, commented) and its text, when it has one. */
  review: z.object({ state: z.string(), body: z.string().optional(), url: z.string().optional() }).optional(),
  /** A check run or suite that completed: its name and conclusion (success, failure, …). */
  check: z
    .object({ name: z.string(), conclusion: z.string().nullable(), url: z.string().optional() })
    .optional(),
});
export type PullRequestUpdated = z.infer<typeof PullRequestUpdated>;
