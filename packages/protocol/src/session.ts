import { z } from 'zod';
import { ModelName, Timestamp } from './common.js';
import { UsageTotals } from './usage.js';

export const SessionStatus = z.enum(['created', 'active', 'archived']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SandboxStatus = z.enum([
  'none',
  'spawning',
  'syncing',
  'setup',
  'starting',
  'ready',
  'running',
  'snapshotting',
  'stopped',
  'failed',
]);
export type SandboxStatus = z.infer<typeof SandboxStatus>;

export const Session = z.object({
  id: z.string(),
  repo: z.string(),
  baseBranch: z.string(),
  branch: z.string(),
  title: z.string().nullable(),
  model: z.string().nullable(),
  status: SessionStatus,
  sandbox: z.object({ status: SandboxStatus }),
  queue: z.object({ running: z.string().nullable(), queued: z.array(z.string()) }),
  /** The model calls of all its prompts so far. */
  usage: UsageTotals,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Session = z.infer<typeof Session>;

/** A git URL, a local path, or `owner/name` on the deployment's GitHub (its App installed there). */
const repoPattern =
  /^(https?:\/\/|file:\/\/|ssh:\/\/|git@[^:]+:|\/|[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$)/;

/** A git ref name that git itself would accept (the subset we can check without git). */
export const BranchName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200)
  .refine(
    (b) =>
      // Control characters are part of what git forbids in ref names.
      // eslint-disable-next-line no-control-regex
      !/(^[-/.])|(\.\.)|[\s~^:?*[\\\x00-\x1f\x7f]|(@\{)|(\/\/)|([/.]$)|(\.lock$)/.test(b),
    'is not a valid git branch name',
  );

export const CreateSessionBody = z.object({
  repo: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(2000)
    .regex(
      repoPattern,
      'must be a git URL (https://, http://, file://, ssh://), an absolute path to a local git repository, or owner/name of a repository the GitHub App is installed on',
    ),
  baseBranch: BranchName.optional(),
  title: z.string().trim().max(500).optional(),
  model: ModelName.optional(),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const SessionListQuery = z.object({
  status: z.enum(['active', 'archived']).optional(),
});

export const SessionList = z.object({ sessions: z.array(Session) });
export type SessionList = z.infer<typeof SessionList>;
