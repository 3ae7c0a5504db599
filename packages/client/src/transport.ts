import { ApiError, serverAt } from './errors.js';

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** An answer as it came: status and body, the body parsed when it is JSON. */
export interface RawAnswer {
  status: number;
  statusText: string;
  /** The parsed JSON body; undefined when it is empty or not JSON. */
  body: unknown;
  text: string;
}

export interface Exchange {
  fetch: Fetch;
  baseUrl: string;
  timeoutMs: number;
  /** An API token, sent as `Authorization: Bearer`; without one a browser's cookie is what signs in. */
  token?: string;
}

/**
 * One HTTP round trip. `body` is sent as JSON, or as it is when a string (for tests that send what
 * no client should). Not answering becomes an ApiError saying which of the two it was.
 */
export async function exchange(
  { fetch, baseUrl, timeoutMs, token }: Exchange,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') {
      throw new ApiError(
        'timeout',
        0,
        'timeout',
        `${serverAt(baseUrl)} did not answer within ${timeoutMs / 1000} s`,
      );
    }
    throw new ApiError('unreachable', 0, 'unreachable', `cannot reach ${serverAt(baseUrl)}`);
  }
  const text = await res.text().catch(() => '');
  return { status: res.status, statusText: res.statusText, body: parseJson(text), text };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
