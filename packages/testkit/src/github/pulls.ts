/**
 * Pull requests: opened, listed, edited, closed and merged over REST as GitHub does (its 422s
 * word for word), really merged inside the bare repository, and followed by `pull_request`
 * webhooks — opened, closed (merged or not), reopened, synchronize on a push to the head.
 */
import { branchSha, commitsBetween, mergeBranches } from './bare-repos.js';
import { actorJson, pullJson } from './json.js';
import {
  githubError,
  jsonBody,
  paginate,
  problemsParsingJson,
  validationFailed,
  type GitHubResponse,
  type GitHubRoute,
} from './routes.js';
import { timestamp, type GitHubActor, type GitHubState, type PullRequest, type Repo } from './state.js';
import type { WebhookSender } from './webhooks.js';

export interface OpenPullOptions {
  title: string;
  body?: string | null;
  /** `branch` or `owner:branch` (forks are not modelled). */
  head: string;
  base: string;
  draft?: boolean;
  author: GitHubActor;
}

export class Pulls {
  constructor(
    private readonly state: GitHubState,
    private readonly webhooks: WebhookSender,
  ) {}

  async json(repo: Repo, pull: PullRequest) {
    return pullJson(this.state, repo, pull, (await branchSha(repo, pull.base)) ?? '');
  }

  async open(repo: Repo, options: OpenPullOptions): Promise<PullRequest | GitHubResponse> {
    const [headOwner, head] = options.head.includes(':')
      ? (options.head.split(':', 2) as [string, string])
      : [repo.owner, options.head];
    const invalid = (field: string) =>
      validationFailed([{ resource: 'PullRequest', field, code: 'invalid' }]);
    if (!options.title)
      return validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
    const baseSha = await branchSha(repo, options.base);
    if (!baseSha) return invalid('base');
    const headSha =
      headOwner.toLowerCase() === repo.owner.toLowerCase() ? await branchSha(repo, head) : undefined;
    if (!headSha) return invalid('head');
    if (
      this.state.pullsOf(repo).some((p) => p.state === 'open' && p.head === head && p.base === options.base)
    ) {
      return validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner}:${head}.`,
        },
      ]);
    }
    if ((await commitsBetween(repo, baseSha, headSha)).length === 0) {
      return validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${options.base} and ${head}`,
        },
      ]);
    }
    const now = timestamp();
    const pull: PullRequest = {
      id: this.state.nextId(),
      repo: repo.fullName,
      number: this.state.nextNumber(repo),
      title: options.title,
      body: options.body ?? null,
      author: options.author,
      state: 'open',
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      head,
      headSha,
      base: options.base,
      draft: options.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
    };
    this.state.issues.set(`${repo.fullName}#${pull.number}`, pull);
    await this.emit(repo, pull, 'opened', options.author);
    return pull;
  }

  async setState(repo: Repo, pull: PullRequest, next: 'open' | 'closed', by: GitHubActor): Promise<void> {
    if (pull.state === next || pull.merged) return;
    pull.state = next;
    pull.updatedAt = timestamp();
    pull.closedAt = next === 'closed' ? pull.updatedAt : null;
    await this.emit(repo, pull, next === 'closed' ? 'closed' : 'reopened', by);
  }

  /** Merges as the merge button does; a message when GitHub would answer 405. */
  async merge(
    repo: Repo,
    pull: PullRequest,
    by: GitHubActor,
    options: { title?: string; message?: string } = {},
  ): Promise<string | { refused: string }> {
    if (pull.state !== 'open' || pull.draft) return { refused: 'Pull Request is not mergeable' };
    const user = this.state.user(by.login);
    const sha = await mergeBranches(repo, {
      base: pull.base,
      head: pull.head,
      message: `${options.title ?? `Merge pull request #${pull.number} from ${repo.owner}/${pull.head}`}\n\n${options.message ?? pull.title}`,
      by: {
        name: user?.name ?? by.login,
        email: user?.email ?? `${by.id}+${by.login}@users.noreply.github.test`,
      },
    });
    if (!sha) return { refused: 'Pull Request is not mergeable' };
    const now = timestamp();
    Object.assign(pull, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      mergedBy: by,
      mergeCommitSha: sha,
      updatedAt: now,
      closedAt: now,
    });
    await this.emit(repo, pull, 'closed', by);
    return sha;
  }

  /** After a push: each open pull request whose head moved gets `synchronize`. */
  async pushed(repo: Repo, pusher: GitHubActor): Promise<void> {
    for (const pull of this.state.pullsOf(repo).filter((p) => p.state === 'open')) {
      const sha = await branchSha(repo, pull.head);
      if (!sha || sha === pull.headSha) continue;
      pull.headSha = sha;
      pull.updatedAt = timestamp();
      await this.emit(repo, pull, 'synchronize', pusher);
    }
  }

  /** A review submitted on GitHub: `pull_request_review` with action `submitted`. */
  async review(
    repo: Repo,
    pull: PullRequest,
    options: { by: GitHubActor; state: 'approved' | 'changes_requested' | 'commented'; body?: string },
  ) {
    const id = this.state.nextId();
    return this.webhooks.deliver('pull_request_review', {
      action: 'submitted',
      review: {
        id,
        node_id: `PRR_${id}`,
        user: actorJson(this.state, options.by),
        body: options.body ?? null,
        state: options.state,
        commit_id: pull.headSha,
        html_url: `${this.state.origin}/${repo.fullName}/pull/${pull.number}#pullrequestreview-${id}`,
        submitted_at: timestamp(),
      },
      pull_request: await this.json(repo, pull),
      ...this.webhooks.context(repo, options.by),
    });
  }

  private async emit(repo: Repo, pull: PullRequest, action: string, sender: GitHubActor): Promise<void> {
    this.webhooks.emit('pull_request', {
      action,
      number: pull.number,
      pull_request: await this.json(repo, pull),
      ...this.webhooks.context(repo, sender),
    });
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function pullRoutes(pulls: Pulls): GitHubRoute[] {
  const found =
    (handle: (pull: PullRequest, req: Parameters<GitHubRoute['handle']>[0]) => Promise<GitHubResponse>) =>
    async (req: Parameters<GitHubRoute['handle']>[0]) => {
      const pull = req.state.pull(req.repo!, Number(req.params.number));
      return pull ? handle(pull, req) : githubError(404, 'Not Found');
    };
  return [
    {
      method: 'POST',
      path: '/repos/:owner/:repo/pulls',
      api: true,
      auth: 'repo',
      handle: async (req) => {
        const body = jsonBody(req);
        if (!body) return problemsParsingJson();
        const opened = await pulls.open(req.repo!, {
          title: str(body.title) ?? '',
          body: str(body.body) ?? null,
          head: str(body.head) ?? '',
          base: str(body.base) ?? '',
          draft: body.draft === true,
          author: req.actor!,
        });
        return 'number' in opened ? { status: 201, body: await pulls.json(req.repo!, opened) } : opened;
      },
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/pulls',
      api: true,
      auth: 'repo',
      handle: async (req) => {
        const q = req.url.searchParams;
        const state = q.get('state') ?? 'open';
        const head = q.get('head');
        const base = q.get('base');
        const matching = req.state
          .pullsOf(req.repo!)
          .filter((p) => state === 'all' || p.state === state)
          .filter(
            (p) =>
              !head ||
              `${req.repo!.owner}:${p.head}`.toLowerCase() === head.toLowerCase() ||
              (!head.includes(':') && p.head === head),
          )
          .filter((p) => !base || p.base === base)
          .sort((a, b) => (q.get('direction') === 'asc' ? a.number - b.number : b.number - a.number));
        const { page, headers } = paginate(req, matching);
        return { headers, body: await Promise.all(page.map((p) => pulls.json(req.repo!, p))) };
      },
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/pulls/:number',
      api: true,
      auth: 'repo',
      handle: found(async (pull, req) => ({ body: await pulls.json(req.repo!, pull) })),
    },
    {
      method: 'PATCH',
      path: '/repos/:owner/:repo/pulls/:number',
      api: true,
      auth: 'repo',
      handle: found(async (pull, req) => {
        const body = jsonBody(req);
        if (!body) return problemsParsingJson();
        if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed') {
          return validationFailed([{ resource: 'PullRequest', field: 'state', code: 'invalid' }]);
        }
        if (str(body.title) !== undefined) pull.title = str(body.title)!;
        if (body.body !== undefined) pull.body = str(body.body) ?? null;
        if (str(body.base) !== undefined) pull.base = str(body.base)!;
        pull.updatedAt = timestamp();
        if (body.state) await pulls.setState(req.repo!, pull, body.state as 'open' | 'closed', req.actor!);
        return { body: await pulls.json(req.repo!, pull) };
      }),
    },
    {
      method: 'PUT',
      path: '/repos/:owner/:repo/pulls/:number/merge',
      api: true,
      auth: 'repo',
      handle: found(async (pull, req) => {
        const body = jsonBody(req);
        if (!body) return problemsParsingJson();
        const merged = await pulls.merge(req.repo!, pull, req.actor!, {
          ...(str(body.commit_title) ? { title: str(body.commit_title)! } : {}),
          ...(str(body.commit_message) ? { message: str(body.commit_message)! } : {}),
        });
        if (typeof merged !== 'string') return githubError(405, merged.refused);
        return { body: { sha: merged, merged: true, message: 'Pull Request successfully merged' } };
      }),
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/pulls/:number/merge',
      api: true,
      auth: 'repo',
      handle: found(async (pull) => (pull.merged ? { status: 204 } : githubError(404, 'Not Found'))),
    },
  ];
}
