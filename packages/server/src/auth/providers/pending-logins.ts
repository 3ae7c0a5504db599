import { randomBytes } from 'node:crypto';
import type { PendingLogin } from './provider.js';

export const PENDING_LOGIN_TTL_MS = 10 * 60_000;
/** A bound, so a flood of started sign-ins cannot grow memory without end; the oldest go first. */
const MAX_PENDING = 10_000;

/**
 * Sign-ins under way, in memory: each is taken once, so a replayed callback finds nothing. A
 * restart forgets them, and a sign-in started before it fails cleanly ("start again").
 */
export class PendingLogins<T = PendingLogin> {
  private readonly entries = new Map<string, { login: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs = PENDING_LOGIN_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `login` and returns the key its browser carries in the `nightshift_login` cookie. */
  put(login: T): string {
    this.dropExpired();
    while (this.entries.size >= MAX_PENDING) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const key = randomBytes(32).toString('base64url');
    this.entries.set(key, { login, expiresAt: this.now() + this.ttlMs });
    return key;
  }

  /** The pending sign-in for `key`, removed so it can be completed at most once. */
  take(key: string | undefined): T | undefined {
    if (!key) return undefined;
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry && entry.expiresAt > this.now() ? entry.login : undefined;
  }

  private dropExpired(): void {
    const now = this.now();
    // Insertion order is expiry order (one TTL for all), so the expired ones are at the front.
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
