import { describeIssues } from '@nightshift/protocol';
import { ApiError } from './errors.js';

type Issues = Parameters<typeof describeIssues>[0];

/** What the client needs of a protocol schema; keeps this package free of a direct zod import. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: Issues };
}

/** The type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/**
 * Checks what is about to be sent with the server's own schema, so a mistake is caught before the
 * round trip, with the same 400 and the same message naming the field.
 */
export function checkInput<T>(schema: Schema<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiError('invalid_input', 400, 'invalid_request', describeIssues(parsed.error));
}

/** Checks what the server answered against the protocol; `where` names the route in the error. */
export function checkAnswer<T>(schema: Schema<T>, value: unknown, status: number, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    'unexpected_answer',
    status,
    'unexpected_answer',
    `unexpected answer from ${where} (${describeIssues(parsed.error)}); is this a Nightshift server of the same version?`,
  );
}
