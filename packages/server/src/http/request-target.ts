/**
 * The path a request names, normalised once at the door so that the gate, the git endpoint and
 * the app all judge the same path: dot segments resolved (also when percent-encoded), the query
 * kept. Undefined when the target cannot be one of ours: not origin-form (`/…`), starting with
 * `//` (a URL parser would read a host there), or not parseable at all.
 */
export function normaliseRequestTarget(raw: string | undefined): string | undefined {
  if (!raw?.startsWith('/') || raw.startsWith('//')) return undefined;
  let url: URL;
  try {
    url = new URL(`http://localhost${raw}`);
  } catch {
    return undefined;
  }
  if (url.pathname.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}`;
}

export const MALFORMED_TARGET = {
  status: 400,
  code: 'invalid_request',
  message: 'the request target is not a path this server serves',
} as const;
