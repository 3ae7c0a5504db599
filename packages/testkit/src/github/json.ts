/**
 * GitHub's JSON shapes of what the fake GitHub holds, shared by the REST answers and the
 * webhook payloads (GitHub sends the same objects in both). Only the fields clients read.
 */
import {
  isPull,
  type GitHubActor,
  type GitHubApp,
  type GitHubState,
  type Installation,
  type Issue,
  type IssueComment,
  type PullRequest,
  type Reaction,
  type Repo,
} from './state.js';

export const API_PREFIX = '/api/v3';

const api = (state: GitHubState) => `${state.origin}${API_PREFIX}`;

export function actorJson(state: GitHubState, actor: GitHubActor) {
  const path = actor.type === 'Bot' ? `apps/${actor.login.replace(/\[bot\]$/, '')}` : actor.login;
  return {
    login: actor.login,
    id: actor.id,
    node_id: `${actor.type === 'Bot' ? 'BOT' : 'U'}_${actor.id}`,
    avatar_url: `${state.origin}/avatars/${encodeURIComponent(actor.login)}`,
    url: `${api(state)}/users/${encodeURIComponent(actor.login)}`,
    html_url: `${state.origin}/${path}`,
    type: actor.type,
    site_admin: false,
  };
}

/** The owner of a repository or installation: a known user, else an organisation. */
export function ownerJson(state: GitHubState, login: string) {
  const user = state.user(login);
  if (user) return actorJson(state, state.userActor(user));
  const id =
    9_000_000 + [...login.toLowerCase()].reduce((n, ch) => (n * 31 + ch.charCodeAt(0)) % 1_000_000, 7);
  return { ...actorJson(state, { login, id, type: 'User' }), node_id: `O_${id}`, type: 'Organization' };
}

export function repoJson(state: GitHubState, repo: Repo) {
  const url = `${api(state)}/repos/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    owner: ownerJson(state, repo.owner),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    description: repo.description,
    fork: false,
    url,
    html_url: `${state.origin}/${repo.fullName}`,
    clone_url: `${state.origin}/${repo.fullName}.git`,
    git_url: `${state.origin}/${repo.fullName}.git`,
    pulls_url: `${url}/pulls{/number}`,
    default_branch: repo.defaultBranch,
    archived: false,
    disabled: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
  };
}

export function appJson(state: GitHubState, app: GitHubApp) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: `A_${app.id}`,
    client_id: app.clientId,
    name: app.name,
    description: '',
    owner: ownerJson(state, 'testkit'),
    external_url: state.origin,
    html_url: `${state.origin}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: app.permissions,
    events: app.events,
    installations_count: state.installations.filter((i) => i.appId === app.id).length,
  };
}

export function installationJson(state: GitHubState, installation: Installation) {
  const app = state.app(installation.appId)!;
  return {
    id: installation.id,
    node_id: `I_${installation.id}`,
    account: ownerJson(state, installation.owner),
    repository_selection: 'selected',
    access_tokens_url: `${api(state)}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${api(state)}/installation/repositories`,
    html_url: `${state.origin}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: ownerJson(state, installation.owner).id,
    target_type: ownerJson(state, installation.owner).type,
    permissions: app.permissions,
    events: app.events,
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    suspended_at: null,
  };
}

function branchJson(state: GitHubState, repo: Repo, ref: string, sha: string) {
  return {
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: ownerJson(state, repo.owner),
    repo: repoJson(state, repo),
  };
}

export function pullJson(state: GitHubState, repo: Repo, pull: PullRequest, baseSha: string) {
  const url = `${api(state)}/repos/${repo.fullName}/pulls/${pull.number}`;
  return {
    url,
    id: pull.id,
    node_id: `PR_${pull.id}`,
    html_url: `${state.origin}/${repo.fullName}/pull/${pull.number}`,
    diff_url: `${state.origin}/${repo.fullName}/pull/${pull.number}.diff`,
    issue_url: `${api(state)}/repos/${repo.fullName}/issues/${pull.number}`,
    comments_url: `${api(state)}/repos/${repo.fullName}/issues/${pull.number}/comments`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: actorJson(state, pull.author),
    draft: pull.draft,
    merged: pull.merged,
    mergeable: pull.state === 'open' ? true : null,
    merged_at: pull.mergedAt,
    merged_by: pull.mergedBy ? actorJson(state, pull.mergedBy) : null,
    merge_commit_sha: pull.mergeCommitSha,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    head: branchJson(state, repo, pull.head, pull.headSha),
    base: branchJson(state, repo, pull.base, baseSha),
    author_association: 'CONTRIBUTOR',
  };
}

export function issueJson(state: GitHubState, repo: Repo, issue: Issue | PullRequest) {
  const url = `${api(state)}/repos/${repo.fullName}/issues/${issue.number}`;
  return {
    url,
    id: issue.id,
    node_id: `I_${issue.id}`,
    html_url: `${state.origin}/${repo.fullName}/${isPull(issue) ? 'pull' : 'issues'}/${issue.number}`,
    repository_url: `${api(state)}/repos/${repo.fullName}`,
    comments_url: `${url}/comments`,
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body,
    user: actorJson(state, issue.author),
    labels: [],
    locked: false,
    comments: state.comments.filter((c) => c.repo === repo.fullName && c.issue === issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: 'CONTRIBUTOR',
    ...(isPull(issue)
      ? {
          pull_request: {
            url: `${api(state)}/repos/${repo.fullName}/pulls/${issue.number}`,
            html_url: `${state.origin}/${repo.fullName}/pull/${issue.number}`,
            merged_at: issue.mergedAt,
          },
          draft: issue.draft,
        }
      : {}),
  };
}

export function commentJson(state: GitHubState, repo: Repo, comment: IssueComment) {
  const issue = state.issue(repo, comment.issue);
  const kind = issue && isPull(issue) ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${api(state)}/repos/${repo.fullName}/issues/comments/${comment.id}`,
    html_url: `${state.origin}/${repo.fullName}/${kind}/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${api(state)}/repos/${repo.fullName}/issues/${comment.issue}`,
    body: comment.body,
    user: actorJson(state, comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.author.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    reactions: {
      url: `${api(state)}/repos/${repo.fullName}/issues/comments/${comment.id}/reactions`,
      total_count: comment.reactions.length,
      ...Object.fromEntries(
        REACTIONS.map((r) => [r, comment.reactions.filter((x) => x.content === r).length]),
      ),
    },
  };
}

export const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];

export function reactionJson(state: GitHubState, reaction: Reaction) {
  return {
    id: reaction.id,
    node_id: `REA_${reaction.id}`,
    user: actorJson(state, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}
