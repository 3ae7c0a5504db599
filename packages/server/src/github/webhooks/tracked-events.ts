import type { PullRequestState, PullRequestUpdated } from '@nightshift/protocol';

/** The webhook events Nightshift acts on; any other is answered 202 and dropped. */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'check_run',
  'check_suite',
  'issue_comment',
]);

/** The parts of GitHub's webhook payloads read here (GitHub sends much more). */
export interface WebhookPayload {
  action?: string;
  sender?: { login?: string };
  repository?: { full_name?: string; default_branch?: string; html_url?: string };
  installation?: { id?: number };
  pull_request?: { number?: number; state?: string; merged?: boolean; merged_by?: { login?: string } | null };
  review?: { state?: string; body?: string | null; html_url?: string };
  comment?: { html_url?: string };
  check_run?: CheckPayload;
  check_suite?: CheckPayload;
}

interface CheckPayload {
  name?: string;
  app?: { name?: string };
  conclusion?: string | null;
  html_url?: string;
  pull_requests?: Array<{ number?: number }>;
}

/** One timeline update for one pull request of one repository. */
export interface PullRequestChange {
  repo: string;
  number: number;
  /** Absent when the delivery does not say (a check run): the stored state stands. */
  state: PullRequestState | undefined;
  update: Omit<PullRequestUpdated, 'state' | 'number'>;
}

const PULL_REQUEST_ACTIONS = new Set(['opened', 'closed', 'reopened', 'synchronize', 'edited']);

/** What a delivery says happened to which pull requests; empty for anything not tracked. */
export function pullRequestChanges(event: string, payload: WebhookPayload): PullRequestChange[] {
  const repo = payload.repository?.full_name;
  if (!repo) return [];
  const by = payload.sender?.login;
  const action = payload.action;
  const pr = payload.pull_request;
  switch (event) {
    case 'pull_request': {
      if (!pr?.number || !action || !PULL_REQUEST_ACTIONS.has(action)) return [];
      const merged = pr.merged === true;
      const who = merged ? (pr.merged_by?.login ?? by) : by;
      return [{ repo, number: pr.number, state: stateOf(pr), update: { by: who, action } }];
    }
    case 'pull_request_review': {
      if (!pr?.number || action !== 'submitted' || !payload.review?.state) return [];
      const { state, body, html_url } = payload.review;
      const review = { state: state.toLowerCase(), body: body || undefined, url: html_url };
      return [{ repo, number: pr.number, state: stateOf(pr), update: { by, action, review } }];
    }
    case 'pull_request_review_comment': {
      if (!pr?.number || action !== 'created') return [];
      const review = { state: 'commented', url: payload.comment?.html_url };
      return [{ repo, number: pr.number, state: stateOf(pr), update: { by, action, review } }];
    }
    case 'check_run':
    case 'check_suite': {
      const check = event === 'check_run' ? payload.check_run : payload.check_suite;
      if (!check || action !== 'completed') return [];
      const name = check.name ?? check.app?.name ?? event;
      const summary = { name, conclusion: check.conclusion ?? null, url: check.html_url };
      return (check.pull_requests ?? [])
        .filter((p): p is { number: number } => typeof p.number === 'number')
        .map((p) => ({ repo, number: p.number, state: undefined, update: { action, check: summary } }));
    }
    default:
      return [];
  }
}

function stateOf(pr: NonNullable<WebhookPayload['pull_request']>): PullRequestState {
  if (pr.merged) return 'merged';
  return pr.state === 'closed' ? 'closed' : 'open';
}
