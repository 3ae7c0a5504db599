import { createHash, randomBytes } from 'node:crypto';

/** API tokens say what they are, so a leaked one is recognisable (and secret scanners can find it). */
export const API_TOKEN_PREFIX = 'nst_';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/;

export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function newCookieValue(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of a token or cookie value: a database copy then opens nothing. */
export function credentialHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function isWellFormedApiToken(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX) && TOKEN_BODY.test(token.slice(API_TOKEN_PREFIX.length));
}

export function isWellFormedCookieValue(value: string): boolean {
  return TOKEN_BODY.test(value);
}

export type BearerHeader = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'token'; token: string };

/** `Authorization: Bearer nst_…`; anything else in the header is malformed, never ignored. */
export function readBearer(header: string | undefined): BearerHeader {
  if (header === undefined || header.trim() === '') return { kind: 'absent' };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header.trim());
  if (!match || !isWellFormedApiToken(match[1]!)) return { kind: 'malformed' };
  return { kind: 'token', token: match[1]! };
}
