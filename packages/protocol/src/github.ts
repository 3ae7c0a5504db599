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

/** `POST /api/sessions/:id/pull-request`: everything optional; the title and body default to ones written from the session. */
export const PullRequestBody = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(256).optional(),
    body: z.string().max(65_536).optional(),
    draft: z.boolean().optional(),
  })
  .strict();
export type PullRequestBody = z.infer<typeof PullRequestBody>;

/** A session's pull request: the answer to creating it, and the `pull_request` artifact's data. */
export const PullRequest = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  state: PullRequestState,
});
export type PullRequest = z.infer<typeof PullRequest>;

/** A repository sessions may use (`GET /api/repos`): an installation's, or an exact NIGHTSHIFT_ALLOWED_REPOS entry. */
export const RepoEntry = z.object({
  /** What to give as a session's `repo`: `owner/name` for an installed repository, else the entry itself. */
  repo: z.string(),
  baseBranch: z.string().nullable(),
  image: z.null(),
  pool: z.object({ size: z.number().int(), ready: z.number().int() }),
  description: z.string().optional(),
  private: z.boolean().optional(),
});
export type RepoEntry = z.infer<typeof RepoEntry>;

export const RepoList = z.object({ repos: z.array(RepoEntry) });
export type RepoList = z.infer<typeof RepoList>;
