import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Opaque, URL-safe, lower-case ids with a readable prefix (`ses_…`, `msg_…`). */
export function newId(prefix: 'ses' | 'msg' | 'art' | 'sbx' | 'snap' | 'per' | 'tok' | 'use'): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

/** The part of a session id that goes into its branch name. */
export function shortId(id: string): string {
  return id.slice(id.indexOf('_') + 1, id.indexOf('_') + 9);
}
