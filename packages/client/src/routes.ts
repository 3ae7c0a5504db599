import {
  ArtifactList,
  CreateTokenBody,
  CreateSessionBody,
  EventList,
  EventsQuery,
  Health,
  Me,
  Message,
  MessageList,
  PromptAccepted,
  PullRequest,
  PullRequestBody,
  RepoList,
  PromptBody,
  PutSecretBody,
  Secret,
  SecretList,
  SecretQuery,
  Session,
  SessionList,
  SessionListQuery,
  StopBody,
  TokenCreated,
  TokenList,
  TokenListQuery,
  UsageQuery,
  UsageReport,
} from '@nightshift/protocol';
import type { Infer, Schema } from './schema.js';

/** One endpoint of the public API (docs/api.md), paired with the protocol schemas of what goes in and out. */
export interface Route<Params, Body, Answer> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path, query included, for these parameters. */
  path(params: Params): string;
  /** What the request carries; null for routes without a body. */
  body: Schema<Body> | null;
  /** What a 2xx answer carries; null when there is nothing in it to read (202, 204). */
  answer: Schema<Answer> | null;
}

function route<Params = void, Body = never, Answer = void>(
  definition: Route<Params, Body, Answer>,
): Route<Params, Body, Answer> {
  return definition;
}

interface SessionParams {
  id: string;
}

const session = ({ id }: SessionParams) => `/api/sessions/${encodeURIComponent(id)}`;

/** `?a=1&b=2` of the parameters that are set, or nothing. */
function query(params: Record<string, string | number | undefined>): string {
  const set = Object.entries(params).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  if (set.length === 0) return '';
  return `?${set.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}

export const routes = {
  health: route({ method: 'GET', path: () => '/api/health', body: null, answer: Health }),

  listSessions: route({
    method: 'GET',
    path: (params: Infer<typeof SessionListQuery>) => `/api/sessions${query(params)}`,
    body: null,
    answer: SessionList,
  }),
  createSession: route({
    method: 'POST',
    path: () => '/api/sessions',
    body: CreateSessionBody,
    answer: Session,
  }),
  getSession: route({ method: 'GET', path: session, body: null, answer: Session }),
  archiveSession: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/archive`,
    body: null,
    answer: Session,
  }),
  unarchiveSession: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/unarchive`,
    body: null,
    answer: Session,
  }),
  deleteSession: route({ method: 'DELETE', path: session, body: null, answer: null }),
  warmSession: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/warm`,
    body: null,
    answer: null,
  }),

  sendPrompt: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/prompts`,
    body: PromptBody,
    answer: PromptAccepted,
  }),
  listMessages: route({
    method: 'GET',
    path: (p: SessionParams) => `${session(p)}/messages`,
    body: null,
    answer: MessageList,
  }),
  cancelPrompt: route({
    method: 'DELETE',
    path: (p: SessionParams & { messageId: string }) =>
      `${session(p)}/prompts/${encodeURIComponent(p.messageId)}`,
    body: null,
    answer: Message,
  }),
  stop: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/stop`,
    body: StopBody,
    answer: null,
  }),

  listEvents: route({
    method: 'GET',
    path: ({ id, ...page }: SessionParams & Infer<typeof EventsQuery>) =>
      `${session({ id })}/events${query(page)}`,
    body: null,
    answer: EventList,
  }),
  listArtifacts: route({
    method: 'GET',
    path: (p: SessionParams) => `${session(p)}/artifacts`,
    body: null,
    answer: ArtifactList,
  }),

  // secrets (docs/api.md "Secrets"): names and scopes only, never values
  listSecrets: route({
    method: 'GET',
    path: (params: Infer<typeof SecretQuery>) => `/api/secrets${query(params)}`,
    body: null,
    answer: SecretList,
  }),
  putSecret: route({
    method: 'PUT',
    path: ({ name }: { name: string }) => `/api/secrets/${encodeURIComponent(name)}`,
    body: PutSecretBody,
    answer: Secret,
  }),
  deleteSecret: route({
    method: 'DELETE',
    path: ({ name, repo }: { name: string; repo?: string }) =>
      `/api/secrets/${encodeURIComponent(name)}${query({ repo })}`,
    body: null,
    answer: null,
  }),

  // identity and access (docs/api.md "Identity and access"): who is signed in, sign-out, API tokens
  me: route({ method: 'GET', path: () => '/api/me', body: null, answer: Me }),
  logout: route({ method: 'POST', path: () => '/api/auth/logout', body: null, answer: null }),
  createToken: route({
    method: 'POST',
    path: () => '/api/tokens',
    body: CreateTokenBody,
    answer: TokenCreated,
  }),
  listTokens: route({
    method: 'GET',
    path: (params: Infer<typeof TokenListQuery>) => `/api/tokens${query(params)}`,
    body: null,
    answer: TokenList,
  }),
  deleteToken: route({
    method: 'DELETE',
    path: ({ id }: { id: string }) => `/api/tokens/${encodeURIComponent(id)}`,
    body: null,
    answer: null,
  }),

  // model usage (docs/api.md "Model usage"): tokens and cost of the proxied model calls
  usage: route({
    method: 'GET',
    path: (params: Infer<typeof UsageQuery>) => `/api/usage${query(params)}`,
    body: null,
    answer: UsageReport,
  }),

  // GitHub (docs/api.md "GitHub"): repositories sessions may use, a session's pull request
  listRepos: route({ method: 'GET', path: () => '/api/repos', body: null, answer: RepoList }),
  createPullRequest: route({
    method: 'POST',
    path: (p: SessionParams) => `${session(p)}/pull-request`,
    body: PullRequestBody,
    answer: PullRequest,
  }),
};

/** The session's WebSocket (replay after `after`, then live); a path, like the routes above. */
export function sessionSocketPath(id: string, after: number): string {
  return `${session({ id })}/ws${query({ after })}`;
}
