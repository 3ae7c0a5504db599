import { z } from 'zod';
import { Timestamp } from './common.js';
import { CreateSessionBody } from './session.js';

/**
 * Secrets: values the operator and the team keep on the server, encrypted, and hand to a
 * sandbox's scripts and agent as environment variables. Only names ever come back.
 */

/** The largest value a secret may hold, in UTF-8 bytes. */
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;

/**
 * Names that already mean something in a sandbox, or belong to the operator: Nightshift's own
 * variables, the ones a shell or git steers by, the dynamic loader's, OpenCode's, and the model
 * provider keys and endpoints (the model proxy's, never a team secret).
 */
export function isReservedSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    ['PATH', 'HOME', 'USER', 'SHELL', 'PWD'].includes(upper) ||
    /^(NIGHTSHIFT_|LD_|GIT_|OPENCODE_)/.test(upper) ||
    /_(API_KEY|BASE_URL)$/.test(upper)
  );
}

export const SecretName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be an environment variable name: letters, digits and _, not starting with a digit, at most 128 characters',
  )
  .refine(
    (name) => !isReservedSecretName(name),
    'is reserved (NIGHTSHIFT_*, PATH, HOME, USER, SHELL, PWD, LD_*, GIT_*, OPENCODE_*, *_API_KEY, *_BASE_URL)',
  );

/** `agent`: setup.sh, start.sh and the agent's commands; `setup`: the scripts only. */
export const SecretScope = z.enum(['agent', 'setup'], { error: 'must be agent or setup' });
export type SecretScope = z.infer<typeof SecretScope>;

/** A repository as a session names it: a secret of one applies to that repository's sessions. */
export const SecretRepo = CreateSessionBody.shape.repo;

export const PutSecretBody = z.object({
  value: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .refine((value) => !value.includes('\0'), 'must not contain NUL')
    .refine(
      (value) => utf8Bytes(value) <= SECRET_VALUE_MAX_BYTES,
      `must be at most ${SECRET_VALUE_MAX_BYTES} bytes`,
    ),
  repo: SecretRepo.optional(),
  // Absent: `agent`.
  scope: SecretScope.optional(),
});
export type PutSecretBody = z.infer<typeof PutSecretBody>;

// The web UI uses these schemas too: no Buffer there.
function utf8Bytes(value: string): number {
  return new TextEncoder().encode(value).length;
}

/** `repo` absent: the global secrets; given: that repository's. */
export const SecretQuery = z.object({ repo: SecretRepo.optional() });

/** A secret as the API shows it: never its value. `repo` null for a global one. */
export const Secret = z.object({
  name: z.string(),
  repo: z.string().nullable(),
  scope: SecretScope,
  updatedAt: Timestamp,
});
export type Secret = z.infer<typeof Secret>;

export const SecretList = z.object({ secrets: z.array(Secret) });
export type SecretList = z.infer<typeof SecretList>;
