import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface UidRange {
  first: number;
  count: number;
}

/**
 * Where to look for a free uid for a session, in order: from a slot its id hashes to, then every
 * other slot once. The hash only spreads sessions out; the claim decides who owns a uid.
 */
export function* uidCandidates(sessionId: string, range: UidRange): Generator<number> {
  const start = createHash('sha256').update(sessionId).digest().readUInt32BE(0) % range.count;
  for (let i = 0; i < range.count; i++) yield range.first + ((start + i) % range.count);
}

/**
 * Which host uid each session's sandboxes run as (only as root: otherwise they run as the server's
 * own). A uid is claimed with an exclusive create of `<claims>/<uid>`, so two sessions never hold
 * the same one, and the session keeps it across sandboxes and restarts (its workspace is owned by
 * it). A uid is released only after the session's directory (every file that uid could write on
 * the host) is gone, so a later owner inherits nothing.
 */
export class SandboxUids {
  constructor(
    private readonly claims: string,
    private readonly range: UidRange,
  ) {
    mkdirSync(claims, { recursive: true, mode: 0o700 });
  }

  /** The session's uid (and gid, the same number), claiming one the first time. */
  claim(sessionId: string): { uid: number; gid: number } {
    const held = this.held(sessionId);
    if (held !== undefined) return { uid: held, gid: held };
    for (const uid of uidCandidates(sessionId, this.range)) {
      try {
        writeFileSync(this.claimFile(uid), sessionId, { flag: 'wx', mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      writeFileSync(this.sessionFile(sessionId), String(uid), { mode: 0o600 });
      return { uid, gid: uid };
    }
    throw new Error(`every sandbox uid from ${this.range.first} on (${this.range.count}) is taken`);
  }

  /** Frees the session's uid; call only once its files on the host are removed. */
  release(sessionId: string): void {
    const held = this.held(sessionId);
    rmSync(this.sessionFile(sessionId), { force: true });
    if (held !== undefined) rmSync(this.claimFile(held), { force: true });
  }

  private held(sessionId: string): number | undefined {
    let uid: number;
    try {
      uid = Number(readFileSync(this.sessionFile(sessionId), 'utf8'));
    } catch {
      return undefined;
    }
    // Only a uid whose claim names this session is its own (a half-written pair is not).
    try {
      if (readFileSync(this.claimFile(uid), 'utf8') === sessionId) return uid;
    } catch {
      // No claim behind it.
    }
    return undefined;
  }

  private claimFile(uid: number): string {
    return path.join(this.claims, String(uid));
  }

  private sessionFile(sessionId: string): string {
    return path.join(this.claims, `session-${sessionId}`);
  }
}
