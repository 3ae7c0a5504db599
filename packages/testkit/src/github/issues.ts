/**
 * Issues, their comments and the comments' reactions, over REST and as `issues` /
 * `issue_comment` webhooks. A pull request is an issue too: its comments live here, and its
 * issue carries a `pull_request` key, which is how a receiver tells the two apart.
 */
import { commentJson, issueJson, REACTIONS, reactionJson } from './json.js';
import {
  githubError,
  jsonBody,
  paginate,
  problemsParsingJson,
  validationFailed,
  type GitHubRoute,
} from './routes.js';
import {
  timestamp,
  type GitHubActor,
  type GitHubState,
  type Issue,
  type IssueComment,
  type Repo,
} from './state.js';
import type { WebhookSender } from './webhooks.js';

export class Issues {
  constructor(
    private readonly state: GitHubState,
    private readonly webhooks: WebhookSender,
  ) {}

  async open(repo: Repo, options: { title: string; body?: string; by: GitHubActor }): Promise<Issue> {
    const now = timestamp();
    const issue: Issue = {
      id: this.state.nextId(),
      repo: repo.fullName,
      number: this.state.nextNumber(repo),
      title: options.title,
      body: options.body ?? null,
      author: options.by,
      state: 'open',
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    this.state.issues.set(`${repo.fullName}#${issue.number}`, issue);
    await this.webhooks.deliver('issues', {
      action: 'opened',
      issue: issueJson(this.state, repo, issue),
      ...this.webhooks.context(repo, options.by),
    });
    return issue;
  }

  /** Adds a comment; `delivery` chooses whether to wait for the webhook's answer or send it in the background. */
  async comment(
    repo: Repo,
    options: { issue: number; body: string; by: GitHubActor },
    delivery: 'await' | 'background',
  ): Promise<IssueComment | undefined> {
    const issue = this.state.issue(repo, options.issue);
    if (!issue) return undefined;
    const now = timestamp();
    const comment: IssueComment = {
      id: this.state.nextId(),
      repo: repo.fullName,
      issue: issue.number,
      body: options.body,
      author: options.by,
      createdAt: now,
      updatedAt: now,
      reactions: [],
    };
    this.state.comments.push(comment);
    const payload = {
      action: 'created',
      issue: issueJson(this.state, repo, issue),
      comment: commentJson(this.state, repo, comment),
      ...this.webhooks.context(repo, options.by),
    };
    if (delivery === 'await') await this.webhooks.deliver('issue_comment', payload);
    else this.webhooks.emit('issue_comment', payload);
    return comment;
  }

  commentsOf(repo: Repo, issue?: number): IssueComment[] {
    return this.state.comments.filter(
      (c) => c.repo === repo.fullName && (issue === undefined || c.issue === issue),
    );
  }
}

export function issueRoutes(issues: Issues): GitHubRoute[] {
  return [
    {
      method: 'GET',
      path: '/repos/:owner/:repo/issues/:number',
      api: true,
      auth: 'repo',
      handle: ({ state, repo, params }) => {
        const issue = state.issue(repo!, Number(params.number));
        return issue ? { body: issueJson(state, repo!, issue) } : githubError(404, 'Not Found');
      },
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/issues/:number/comments',
      api: true,
      auth: 'repo',
      handle: (req) => {
        if (!req.state.issue(req.repo!, Number(req.params.number))) return githubError(404, 'Not Found');
        const { page, headers } = paginate(req, issues.commentsOf(req.repo!, Number(req.params.number)));
        return { headers, body: page.map((c) => commentJson(req.state, req.repo!, c)) };
      },
    },
    {
      method: 'POST',
      path: '/repos/:owner/:repo/issues/:number/comments',
      api: true,
      auth: 'repo',
      handle: async (req) => {
        const body = jsonBody(req);
        if (!body) return problemsParsingJson();
        if (typeof body.body !== 'string' || !body.body) {
          return validationFailed([{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
        }
        const comment = await issues.comment(
          req.repo!,
          { issue: Number(req.params.number), body: body.body, by: req.actor! },
          'background',
        );
        return comment
          ? { status: 201, body: commentJson(req.state, req.repo!, comment) }
          : githubError(404, 'Not Found');
      },
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/issues/comments/:id',
      api: true,
      auth: 'repo',
      handle: ({ state, repo, params }) => {
        const comment = issues.commentsOf(repo!).find((c) => String(c.id) === params.id);
        return comment ? { body: commentJson(state, repo!, comment) } : githubError(404, 'Not Found');
      },
    },
    {
      method: 'POST',
      path: '/repos/:owner/:repo/issues/comments/:id/reactions',
      api: true,
      auth: 'repo',
      handle: (req) => {
        const comment = issues.commentsOf(req.repo!).find((c) => String(c.id) === req.params.id);
        if (!comment) return githubError(404, 'Not Found');
        const body = jsonBody(req);
        if (!body) return problemsParsingJson();
        if (typeof body.content !== 'string' || !REACTIONS.includes(body.content)) {
          return validationFailed([{ resource: 'Reaction', field: 'content', code: 'invalid' }]);
        }
        // Reacting twice with the same content answers the first reaction, with 200.
        const already = comment.reactions.find(
          (r) => r.content === body.content && r.user.login === req.actor!.login,
        );
        if (already) return { body: reactionJson(req.state, already) };
        const reaction = {
          id: req.state.nextId(),
          content: body.content,
          user: req.actor!,
          createdAt: timestamp(),
        };
        comment.reactions.push(reaction);
        return { status: 201, body: reactionJson(req.state, reaction) };
      },
    },
    {
      method: 'GET',
      path: '/repos/:owner/:repo/issues/comments/:id/reactions',
      api: true,
      auth: 'repo',
      handle: (req) => {
        const comment = issues.commentsOf(req.repo!).find((c) => String(c.id) === req.params.id);
        if (!comment) return githubError(404, 'Not Found');
        const { page, headers } = paginate(req, comment.reactions);
        return { headers, body: page.map((r) => reactionJson(req.state, r)) };
      },
    },
  ];
}
