/** Methods that change nothing, which a cross-site page may trigger without harm. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginFacts {
  method: string;
  /** The `Origin` header, when the browser sent one. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header. */
  secFetchSite: string | undefined;
}

/**
 * Whether a request a browser's cookie authenticates may act. The cookie rides along on any
 * request to this host, including a form another site submits, so a write must show it came
 * from this origin: `Origin` equal to the public origin, or, where a browser sends no Origin,
 * `Sec-Fetch-Site: same-origin`. Nothing to configure, no token to thread through the UI; every
 * browser that can run the UI sends one of the two. `upgrade`: a WebSocket handshake is a GET a
 * cross-site page can open with the cookie (cross-site WebSocket hijacking), so it is held to
 * the same rule.
 */
export function cookieRequestAllowed(
  facts: OriginFacts,
  publicOrigins: readonly string[],
  upgrade = false,
): boolean {
  if (!upgrade && SAFE_METHODS.has(facts.method.toUpperCase())) return true;
  if (facts.origin !== undefined && facts.origin !== '')
    return publicOrigins.some((o) => sameOrigin(facts.origin!, o));
  return facts.secFetchSite === 'same-origin';
}

function sameOrigin(origin: string, publicOrigin: string): boolean {
  try {
    return new URL(origin).origin === new URL(publicOrigin).origin;
  } catch {
    return false;
  }
}
