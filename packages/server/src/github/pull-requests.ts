import type { Author, PullRequest, PullRequestBody } from '@nightshift/protocol';
import type { Principal } from '../auth/principal.js';
import { principalAuthor } from '../auth/principal.js';
import type { HostPullRequest, ResolvedRepo } from '../scm/code-host.js';
import { NotFound } from '../sessions/errors.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { GitHubError, noCommitsAhead, tokenExpired } from './errors.js';
import type { GitHubCodeHost } from './github-code-host.js';
import { defaultTitle, pullRequestBody } from './pull-request-text.js';

export interface PullRequestServiceOptions {
  host: GitHubCodeHost;
  store: Store;
  log: Logger;
  /** Where people reach the server: the body links back to `<publicUrl>/sessions/<id>`. */
  publicUrl: () => string;
  /** Records the PR on the session's timeline (`artifact_created` of type pull_request). */
  addArtifact(sessionId: string, pr: PullRequest): Promise<void>;
  /** The person's own GitHub user token, when they signed in with GitHub; undefined otherwise. */
  userTokenFor?(personId: string): Promise<string | undefined>;
  /** GitHub refused the person's token: it is forgotten, so they are asked to sign in again. */
  forgetUserToken?(personId: string): Promise<void>;
  /** Where a person gets GitHub a new token of theirs: signing in with GitHub (the default), or, under OIDC sign-in, linking their account again. */
  renewUserTokenPath?: string;
  /** In local mode, whoever runs the server. */
  localRequester: Author;
}

/** Opens a session's pull request on GitHub, as the person who asks (or as the App, naming them). */
export class PullRequestService {
  constructor(private readonly options: PullRequestServiceOptions) {}

  /** `created`: false when an open one already existed for the session branch. */
  async open(
    sessionId: string,
    principal: Principal,
    body: PullRequestBody,
  ): Promise<{ created: boolean; pullRequest: PullRequest }> {
    const { host, store } = this.options;
    const session = await store.sessions.get(sessionId);
    if (!session) throw new NotFound(`session ${sessionId}`);
    const repo = await host.resolveRepo(session.repo);
    if (!repo) {
      throw new GitHubError(
        'not_installed',
        'github_not_installed',
        `${session.repo} is not a repository the GitHub App is installed on: pull requests are opened only there`,
      );
    }
    const existing = await host.findPullRequest(repo, session.branch);
    if (existing) return { created: false, pullRequest: await this.recorded(sessionId, existing, false) };
    if ((await host.commitsAhead(repo, session.baseBranch, session.branch)) === 0)
      throw noCommitsAhead(session.branch, session.baseBranch);

    const requester = principalAuthor(principal) ?? this.options.localRequester;
    const personId = principal.kind === 'person' ? principal.person.id : undefined;
    const userToken = personId ? await this.options.userTokenFor?.(personId) : undefined;
    const opened = await this.openAs(repo, session, body, requester, userToken, personId);
    this.options.log.info(
      { sessionId, repo: repo.fullName, number: opened.number, asPerson: userToken !== undefined },
      'pull request opened',
    );
    return { created: true, pullRequest: await this.recorded(sessionId, opened, true) };
  }

  private async openAs(
    repo: ResolvedRepo,
    session: { id: string; branch: string; baseBranch: string; title: string | null },
    body: PullRequestBody,
    requester: Author,
    userToken: string | undefined,
    personId: string | undefined,
  ): Promise<HostPullRequest> {
    const prompts = (await this.options.store.messages.list(session.id)).map((m) => ({
      text: m.text,
      author: m.author,
    }));
    const text = {
      title: body.title ?? defaultTitle(prompts[0]?.text ?? session.title ?? undefined, session.branch),
      body:
        body.body ??
        pullRequestBody({
          sessionUrl: `${this.options.publicUrl().replace(/\/+$/, '')}/sessions/${session.id}`,
          prompts,
          summary: await this.lastAgentText(session.id),
          requester,
          byApp: userToken === undefined,
        }),
    };
    const request = {
      repo,
      head: session.branch,
      base: session.baseBranch,
      draft: body.draft ?? false,
      ...text,
    };
    try {
      return await this.options.host.openPullRequest({ ...request, ...(userToken ? { userToken } : {}) });
    } catch (err) {
      if (err instanceof GitHubError && err.kind === 'token_expired' && personId) {
        await this.options.forgetUserToken?.(personId);
        throw tokenExpired(
          `${this.options.publicUrl().replace(/\/+$/, '')}${this.options.renewUserTokenPath ?? '/api/auth/login'}`,
        );
      }
      throw err;
    }
  }

  /** The agent's last text part in the session: its closing summary, usually. */
  private async lastAgentText(sessionId: string): Promise<string | null> {
    const parts = new Map<string, string>();
    let last: string | undefined;
    for (let after = 0; ;) {
      const events = await this.options.store.events.list(sessionId, after, 1000);
      for (const event of events) {
        const data = event.data as { kind?: string; partId?: string; delta?: string };
        if (event.type !== 'sandbox_event' || data.kind !== 'text' || !data.partId) continue;
        parts.set(data.partId, (parts.get(data.partId) ?? '') + (data.delta ?? ''));
        last = data.partId;
      }
      if (events.length < 1000) break;
      after = events[events.length - 1]!.seq;
    }
    const text = last ? parts.get(last)?.trim() : undefined;
    return text ? text : null;
  }

  private async recorded(sessionId: string, pr: HostPullRequest, created: boolean): Promise<PullRequest> {
    const pullRequest: PullRequest = { number: pr.number, url: pr.url, state: pr.state };
    const artifacts = await this.options.store.artifacts.list(sessionId);
    const known = artifacts.some((a) => a.type === 'pull_request' && a.data.number === pr.number);
    if (created || !known) await this.options.addArtifact(sessionId, pullRequest);
    return pullRequest;
  }
}
