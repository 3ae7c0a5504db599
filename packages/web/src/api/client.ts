import type {
  Author,
  CreateSessionBody,
  ErrorBody,
  Message,
  MessageList,
  PromptAccepted,
  Session,
  SessionEvent,
  SessionList,
} from '@nightshift/protocol';

/** A non-2xx answer from the API, with the field it names when it is a 400. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** For 400s (and 422s) the server's message starts with `field: …`; this is that field. */
    readonly field: string | null,
  ) {
    super(message);
  }

  /** The message without its `field: ` prefix, for showing next to that field. */
  get detail(): string {
    return this.field ? this.message.slice(this.field.length + 1).trim() : this.message;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the Nightshift server', null);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const error = (parsed as Partial<ErrorBody> | undefined)?.error;
    const message = error?.message ?? `${res.status} ${res.statusText}`;
    const field =
      res.status === 400 || res.status === 422 ? (/^([A-Za-z][\w.]*):/.exec(message)?.[1] ?? null) : null;
    throw new ApiError(res.status, error?.code ?? 'http_error', message, field);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const sessionPath = (id: string) => `/api/sessions/${encodeURIComponent(id)}`;

export const api = {
  listSessions: (status: 'active' | 'archived') =>
    request<SessionList>('GET', `/api/sessions?status=${status}`).then((r) => r.sessions),
  createSession: (body: CreateSessionBody) => request<Session>('POST', '/api/sessions', body),
  getSession: (id: string) => request<Session>('GET', sessionPath(id)),
  archive: (id: string) => request<Session>('POST', `${sessionPath(id)}/archive`),
  unarchive: (id: string) => request<Session>('POST', `${sessionPath(id)}/unarchive`),
  messages: (id: string) =>
    request<MessageList>('GET', `${sessionPath(id)}/messages`).then((r) => r.messages),
  events: (id: string, after: number, limit = 5000) =>
    request<{ events: SessionEvent[] }>(
      'GET',
      `${sessionPath(id)}/events?after=${after}&limit=${limit}`,
    ).then((r) => r.events),
  prompt: (id: string, body: { text: string; author?: Author; clientRequestId: string }) =>
    request<PromptAccepted>('POST', `${sessionPath(id)}/prompts`, body),
  cancel: (id: string, messageId: string) =>
    request<Message>('DELETE', `${sessionPath(id)}/prompts/${encodeURIComponent(messageId)}`),
  stop: (id: string) => request<void>('POST', `${sessionPath(id)}/stop`, {}),
};

export function socketUrl(sessionId: string, after: number): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${sessionPath(sessionId)}/ws?after=${after}`;
}
