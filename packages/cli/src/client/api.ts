import {
  ArtifactList,
  CreateSessionBody,
  ErrorBody,
  EventList,
  Message,
  MessageList,
  PromptAccepted,
  PromptBody,
  Session,
  SessionList,
  describeIssues,
  type SessionEvent,
  type Artifact,
} from '@nightshift/protocol';
import { ApiError, CliError, UnreachableError, UsageError } from '../errors.js';

/** What the client needs of a protocol schema; keeps this file free of a direct zod import. */
export interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: Parameters<typeof describeIssues>[0] };
}

export type Fetch = typeof fetch;

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A typed client for the public API. Every answer is checked against the protocol schemas, and
 * every refusal becomes an error whose message is one readable line.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  health(): Promise<unknown> {
    return this.request('GET', '/api/health', null);
  }

  async listSessions(status: 'active' | 'archived'): Promise<Session[]> {
    return (await this.request('GET', `/api/sessions?status=${status}`, SessionList)).sessions;
  }

  getSession(id: string): Promise<Session> {
    return this.request('GET', `/api/sessions/${enc(id)}`, Session);
  }

  createSession(body: CreateSessionBody): Promise<Session> {
    return this.request('POST', '/api/sessions', Session, checkInput(CreateSessionBody, body));
  }

  archive(id: string): Promise<Session> {
    return this.request('POST', `/api/sessions/${enc(id)}/archive`, Session);
  }

  unarchive(id: string): Promise<Session> {
    return this.request('POST', `/api/sessions/${enc(id)}/unarchive`, Session);
  }

  prompt(id: string, body: PromptBody): Promise<PromptAccepted> {
    return this.request(
      'POST',
      `/api/sessions/${enc(id)}/prompts`,
      PromptAccepted,
      checkInput(PromptBody, body),
    );
  }

  async messages(id: string): Promise<Message[]> {
    return (await this.request('GET', `/api/sessions/${enc(id)}/messages`, MessageList)).messages;
  }

  cancel(id: string, messageId: string): Promise<Message> {
    return this.request('DELETE', `/api/sessions/${enc(id)}/prompts/${enc(messageId)}`, Message);
  }

  async stop(id: string, clearQueue: boolean): Promise<void> {
    await this.request('POST', `/api/sessions/${enc(id)}/stop`, null, { clearQueue });
  }

  async events(id: string, after: number, limit = 1000): Promise<SessionEvent[]> {
    const list = await this.request(
      'GET',
      `/api/sessions/${enc(id)}/events?after=${after}&limit=${limit}`,
      EventList,
    );
    return list.events as SessionEvent[];
  }

  async artifacts(id: string): Promise<Artifact[]> {
    return (await this.request('GET', `/api/sessions/${enc(id)}/artifacts`, ArtifactList)).artifacts;
  }

  async request<T>(method: string, route: string, schema: Schema<T> | null, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + route, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') {
        throw new CliError(
          `the server at ${this.baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
        );
      }
      throw new UnreachableError(this.baseUrl);
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (!res.ok) throw this.refusal(res, json);
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new CliError(
        `unexpected answer from ${this.baseUrl}${route.split('?')[0]} (${describeIssues(parsed.error)}); is this a Nightshift server of the same version?`,
      );
    }
    return parsed.data;
  }

  private refusal(res: Response, json: unknown): CliError {
    const body = ErrorBody.safeParse(json);
    if (body.success) return new ApiError(res.status, body.data.error.code, body.data.error.message);
    return new ApiError(
      res.status,
      'unexpected_response',
      `the server at ${this.baseUrl} answered ${res.status} ${res.statusText}${json === undefined ? ' (not a Nightshift server?)' : ''}`,
    );
  }
}

/** Checks what we are about to send with the server's own schema, so mistakes are caught with the field named. */
function checkInput<T>(schema: Schema<T>, value: T): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
