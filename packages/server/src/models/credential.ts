import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The key a sandbox's OpenCode sends to the model proxy, derived from its sandbox token's hash
 * (like the git password): OpenCode runs as an ordinary process whose environment the agent can
 * read, so it gets this rather than a real key. It opens the proxy for its own session only.
 */
export function modelCredentialFor(tokenHash: string): string {
  return createHmac('sha256', tokenHash).update('nightshift model proxy').digest('hex');
}

/** Whether `credential` is the one given to the sandbox with this token hash, in constant time. */
export function isModelCredentialOf(tokenHash: string, credential: string): boolean {
  const expected = Buffer.from(modelCredentialFor(tokenHash), 'utf8');
  const given = Buffer.from(credential, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
