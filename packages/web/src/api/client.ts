import { NightshiftClient, type Fetch } from '@nightshift/client';

const unauthenticatedListeners = new Set<() => void>();

/** Called whenever the server answers 401: a session that expired or was signed out elsewhere. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

/**
 * Every call the page makes goes through here, so a 401 from any of them (not only the one that
 * happened to notice first) can send the person back to sign in, wherever they were.
 */
const watchingFetch: Fetch = async (input, init) => {
  const res = await globalThis.fetch(input, init);
  if (res.status === 401) for (const listener of unauthenticatedListeners) listener();
  return res;
};

/** The public API of the server that served this page. */
export const api = new NightshiftClient({ baseUrl: '', fetch: watchingFetch });
