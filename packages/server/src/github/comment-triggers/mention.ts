/** The parts of an `issue_comment` delivery a trigger reads. */
export interface CommentPayload {
  action?: string;
  repository?: { full_name?: string; html_url?: string };
  installation?: { id?: number };
  issue?: { number?: number; title?: string; body?: string | null; pull_request?: unknown };
  comment?: {
    id?: number;
    body?: string;
    user?: { login?: string; type?: string; id?: number };
    author_association?: string;
  };
}

export type CommentDecision =
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'trigger';
      repo: string;
      repositoryUrl: string;
      installationId: number;
      issue: number;
      isPullRequest: boolean;
      commentId: number;
      commenter: { login: string; id: number | undefined; association: string };
      /** The comment without the mention. */
      text: string;
      /** The issue or PR's title and body, for a new session's first prompt. */
      context: { title: string; body: string };
    };

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `@slug` as GitHub sees a mention: not inside a word, an email address or a longer login. */
export function mentionPattern(slug: string): RegExp {
  return new RegExp(`(^|[^\\w@/-])@${escaped(slug)}(?![\\w-])`, 'gi');
}

/** The comment's text without its mentions of the App, or undefined when it does not mention it. */
export function withoutMention(body: string, slug: string): string | undefined {
  if (!mentionPattern(slug).test(body)) return undefined;
  return body
    .replace(mentionPattern(slug), '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/**
 * Whether a comment is one to act on. Bots are never followed, the App's own comments least of
 * all: its replies quote the prompt, and answering them would loop.
 */
export function decideComment(payload: CommentPayload, slug: string): CommentDecision {
  if (payload.action !== 'created') return { kind: 'ignore', reason: `action ${payload.action}` };
  const { comment, issue, repository, installation } = payload;
  const login = comment?.user?.login;
  if (
    !comment?.body ||
    !login ||
    !issue?.number ||
    !repository?.full_name ||
    !repository.html_url ||
    !installation?.id
  ) {
    return { kind: 'ignore', reason: 'incomplete payload' };
  }
  if (comment.user?.type === 'Bot' || login.toLowerCase() === `${slug.toLowerCase()}[bot]`) {
    return { kind: 'ignore', reason: 'a bot wrote it' };
  }
  const text = withoutMention(comment.body, slug);
  if (text === undefined) return { kind: 'ignore', reason: 'no mention of the App' };
  return {
    kind: 'trigger',
    repo: repository.full_name,
    repositoryUrl: repository.html_url,
    installationId: installation.id,
    issue: issue.number,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    commentId: comment.id ?? 0,
    commenter: { login, id: comment.user?.id, association: comment.author_association ?? 'NONE' },
    text,
    context: { title: issue.title ?? '', body: issue.body ?? '' },
  };
}

/** An issue's body is context, not the request: it is cut well inside a prompt's limit. */
const CONTEXT_LIMIT = 50_000;

/** A new session's first prompt: what was asked, with the issue or PR it was asked on. */
export function promptWithContext(d: Extract<CommentDecision, { kind: 'trigger' }>): string {
  const what = d.isPullRequest ? 'pull request' : 'issue';
  const given = d.context.body.trim().slice(0, CONTEXT_LIMIT);
  const body = given ? `\n\n${given}` : '';
  return `${d.text}\n\n---\nAsked on ${what} ${d.repo}#${d.issue} by @${d.commenter.login}: ${d.context.title}${body}`;
}
