import { useSyncExternalStore } from 'react';
import { Author } from '@nightshift/protocol';

/** Local mode has no sign-in: who you are is remembered in this browser. */
const KEY = 'nightshift.identity';
const listeners = new Set<() => void>();
let cached: { raw: string | null; value: Author | null } = { raw: null, value: null };

export function loadIdentity(): Author | null {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: ask every visit
  }
  if (raw === cached.raw) return cached.value;
  let value: Author | null = null;
  try {
    const parsed = Author.safeParse(raw ? JSON.parse(raw) : null);
    value = parsed.success ? parsed.data : null;
  } catch {
    value = null;
  }
  cached = { raw, value };
  return value;
}

export function saveIdentity(author: Author): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(author));
  } catch {
    // Still usable for this visit through the cache.
    cached = { raw: JSON.stringify(author), value: author };
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => e.key === KEY && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useIdentity(): Author | null {
  return useSyncExternalStore(subscribe, loadIdentity, () => null);
}
