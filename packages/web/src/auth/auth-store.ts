import { useSyncExternalStore } from 'react';
import { ApiError } from '@nightshift/client';
import type { Person } from '@nightshift/protocol';
import { api, onUnauthenticated } from '../api/client.js';
import { describeError } from '../api/errors.js';

export type SignInMode = 'oidc' | 'github';

/**
 * What the page knows about who is using it:
 * - `local`: no sign-in on this deployment (the name is remembered in the browser);
 * - `signed-in` / `signed-out`: team mode, with or without a session;
 * - `unavailable`: the server could not be asked.
 */
export type AuthState =
  | { status: 'loading' }
  | { status: 'local' }
  | { status: 'signed-in'; mode: SignInMode; person: Person }
  | { status: 'signed-out'; mode: SignInMode; reason: 'none' | 'expired' | 'signed-out' }
  | { status: 'unavailable'; message: string };

let state: AuthState = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: AuthState): void {
  state = next;
  for (const l of listeners) l();
}

/** Asks the server which mode it runs in and, in team mode, who this browser is signed in as. */
export async function loadAuth(): Promise<void> {
  try {
    const health = await api.health();
    if (health.auth === 'none') return set({ status: 'local' });
    const mode = health.auth;
    try {
      const me = await api.me();
      set(me.person ? { status: 'signed-in', mode, person: me.person } : { status: 'local' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) set({ status: 'signed-out', mode, reason: 'none' });
      else throw err;
    }
  } catch (err) {
    set({ status: 'unavailable', message: describeError(err) });
  }
}

/** Ends this browser's session on the server, then shows the sign-in page. */
export async function signOut(): Promise<void> {
  if (state.status !== 'signed-in') return;
  const { mode } = state;
  await api.logout();
  set({ status: 'signed-out', mode, reason: 'signed-out' });
}

// A 401 after boot means the session is gone (expired, revoked, signed out in another tab).
onUnauthenticated(() => {
  if (state.status === 'signed-in') set({ status: 'signed-out', mode: state.mode, reason: 'expired' });
});

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useAuth(): AuthState {
  return useSyncExternalStore(subscribe, () => state);
}
