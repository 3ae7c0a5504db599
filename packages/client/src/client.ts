import type {
  Artifact,
  CreateSessionBody,
  Health,
  Me,
  Message,
  PromptAccepted,
  PromptBody,
  PullRequest,
  PullRequestBody,
  RepoEntry,
  PutSecretBody,
  Secret,
  Session,
  SessionEvent,
  SessionListQuery,
  StopBody,
  TokenCreated,
  TokenInfo,
  UsageQuery,
  UsageReport,
} from '@nightshift/protocol';
import { ApiError, refusal } from './errors.js';
import { routes, sessionSocketPath, type Route } from './routes.js';
import { checkAnswer, checkInput, type Infer } from './schema.js';
import { exchange, type Exchange, type Fetch, type RawAnswer } from './transport.js';
import { TimelineFollower, type FollowOptions, type TimelineFollow } from './follow/follower.js';
import { socketUrl, type WebSocketConstructor } from './follow/socket.js';

export interface ClientOptions {
  /** Where the server is, e.g. `http://127.0.0.1:7070`; '' means this page's own origin in a browser. */
  baseUrl: string;
  /** Default: the global `fetch`. */
  fetch?: Fetch;
  /** For `follow`; default: the global `WebSocket` (a browser's). In Node, pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** How long a request may go unanswered (default 30 s). */
  timeoutMs?: number;
  /**
   * An API token for a team-mode server, sent on every request as `Authorization: Bearer`. A
   * browser leaves it out and is signed in by its cookie. The follower's socket does not get it:
   * a browser's WebSocket cannot send headers, so a Node caller passes a `WebSocket` that adds it.
   */
  token?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The public API, typed: every body is checked against the protocol before it is sent, every
 * answer after it arrives, and every failure is an ApiError.
 */
export class NightshiftClient {
  readonly baseUrl: string;
  private readonly http: Exchange;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Called as a plain function: a browser's fetch refuses to run as a method of another object.
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.http = {
      fetch: (input, init) => fetchImpl(input, init),
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(options.token !== undefined ? { token: options.token } : {}),
    };
    this.WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
  }

  /** Calls one route of the table with its parameters (and body, when it takes one). */
  async call<Params, Body, Answer>(
    route: Route<Params, Body, Answer>,
    params: Params,
    body?: Body,
  ): Promise<Answer> {
    const path = route.path(params);
    const sent = route.body ? checkInput(route.body, body) : undefined;
    const answer = await exchange(this.http, route.method, path, sent);
    if (answer.status < 200 || answer.status >= 300) {
      throw refusal(this.baseUrl, answer.status, answer.statusText, answer.body);
    }
    if (!route.answer) return undefined as Answer;
    return checkAnswer(route.answer, answer.body, answer.status, `${this.baseUrl}${path.split('?')[0]}`);
  }

  /**
   * Any method, path and body (a string is sent as it is), answered with status and body and no
   * checks at all: for tests that send what no client should.
   */
  raw(method: string, path: string, body?: unknown): Promise<RawAnswer> {
    return exchange(this.http, method, path, body);
  }

  health(): Promise<Health> {
    return this.call(routes.health, undefined);
  }

  /** Who this client is signed in as; in local mode `person` is null. */
  me(): Promise<Me> {
    return this.call(routes.me, undefined);
  }

  /** Ends the browser session whose cookie this request carries. */
  logout(): Promise<void> {
    return this.call(routes.logout, undefined);
  }

  /** A new API token for the signed-in person; `token` is in this answer only, never again. */
  createToken(name: string): Promise<TokenCreated> {
    return this.call(routes.createToken, undefined, { name });
  }

  /** Own tokens (without values); an admin with `all` sees everyone's. */
  async listTokens(options: { all?: boolean } = {}): Promise<TokenInfo[]> {
    return (await this.call(routes.listTokens, options.all ? { all: '1' } : {})).tokens;
  }

  deleteToken(id: string): Promise<void> {
    return this.call(routes.deleteToken, { id });
  }

  async listSessions(status?: Infer<typeof SessionListQuery>['status']): Promise<Session[]> {
    return (await this.call(routes.listSessions, { status })).sessions;
  }

  createSession(body: CreateSessionBody): Promise<Session> {
    return this.call(routes.createSession, undefined, body);
  }

  getSession(id: string): Promise<Session> {
    return this.call(routes.getSession, { id });
  }

  archive(id: string): Promise<Session> {
    return this.call(routes.archiveSession, { id });
  }

  unarchive(id: string): Promise<Session> {
    return this.call(routes.unarchiveSession, { id });
  }

  deleteSession(id: string): Promise<void> {
    return this.call(routes.deleteSession, { id });
  }

  warm(id: string): Promise<void> {
    return this.call(routes.warmSession, { id });
  }

  prompt(id: string, body: PromptBody): Promise<PromptAccepted> {
    return this.call(routes.sendPrompt, { id }, body);
  }

  async messages(id: string): Promise<Message[]> {
    return (await this.call(routes.listMessages, { id })).messages;
  }

  cancel(id: string, messageId: string): Promise<Message> {
    return this.call(routes.cancelPrompt, { id, messageId });
  }

  stop(id: string, body: StopBody = {}): Promise<void> {
    return this.call(routes.stop, { id }, body);
  }

  /** One page of the stored timeline: events with `seq > after`, ascending, at most `limit` (server default 1000). */
  async events(id: string, page: { after?: number; limit?: number } = {}): Promise<SessionEvent[]> {
    const { events } = await this.call(routes.listEvents, { id, ...page });
    // The envelope is checked; each type's data is read by whatever shows it.
    return events as SessionEvent[];
  }

  /** The stored timeline after `after`, page by page, until the last page. */
  async *eventPages(id: string, { after = 0, limit = 1000 } = {}): AsyncGenerator<SessionEvent[]> {
    for (let from = after; ;) {
      const page = await this.events(id, { after: from, limit });
      if (page.length > 0) yield page;
      if (page.length < limit) return;
      from = page[page.length - 1]!.seq;
    }
  }

  async artifacts(id: string): Promise<Artifact[]> {
    return (await this.call(routes.listArtifacts, { id })).artifacts;
  }

  /** The global secrets' names, or those of one repository. Never values. */
  async listSecrets(repo?: string): Promise<Secret[]> {
    return (await this.call(routes.listSecrets, { repo })).secrets;
  }

  async putSecret(name: string, body: Infer<typeof PutSecretBody>): Promise<Secret> {
    return this.call(routes.putSecret, { name }, body);
  }

  async deleteSecret(name: string, repo?: string): Promise<void> {
    await this.call(routes.deleteSecret, { name, repo });
  }

  /** Tokens and cost of the proxied model calls: a member's own, an admin's or local mode's all. */
  async usage(params: UsageQuery = {}): Promise<UsageReport> {
    return this.call(routes.usage, params);
  }

  /** The repositories sessions may use: the GitHub App's installed ones and the exact allowed ones. */
  async listRepos(): Promise<RepoEntry[]> {
    return (await this.call(routes.listRepos, undefined)).repos;
  }

  /** Opens the session's pull request (or answers with the open one): as the caller on GitHub when they signed in with it. */
  createPullRequest(id: string, body: PullRequestBody = {}): Promise<PullRequest> {
    return this.call(routes.createPullRequest, { id }, body);
  }

  /** Follows a session's timeline live over its WebSocket, riding out dropped connections. */
  follow(id: string, options: FollowOptions): TimelineFollow {
    const WebSocketImpl = this.WebSocketImpl;
    if (!WebSocketImpl) throw new Error('no WebSocket implementation: pass ClientOptions.WebSocket');
    return new TimelineFollower(
      {
        WebSocket: WebSocketImpl,
        url: (after) => socketUrl(this.baseUrl, sessionSocketPath(id, after)),
        // A socket that cannot open says nothing about why; the session's own route does.
        whyUnfollowable: () =>
          this.getSession(id).then(
            () => null,
            (err: unknown) =>
              err instanceof ApiError && err.kind === 'refused' && err.status >= 400 && err.status < 500
                ? err
                : null,
          ),
      },
      options,
    );
  }
}
