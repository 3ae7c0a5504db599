import { z } from 'zod';

/**
 * Model usage: the tokens and cost of the model calls the control plane proxied for sandboxes,
 * per prompt, session, person and model.
 */

export const UsageTotals = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** USD, from the price table; models without a price count 0. */
  costUsd: z.number().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const EMPTY_USAGE: UsageTotals = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

export const UsageQuery = z.object({
  sessionId: z.string().min(1, 'must not be empty').optional(),
  email: z.string().min(1, 'must not be empty').optional(),
  /** The last N days (24 hours each), counted back from now; absent means all time. */
  days: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(3660, 'must be at most 3660')
    .optional(),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

export const UsageReport = z.object({
  totals: UsageTotals,
  byPerson: z.array(UsageTotals.extend({ email: z.string(), name: z.string() })),
  /** `model` is `provider/model`. */
  byModel: z.array(UsageTotals.extend({ model: z.string() })),
});
export type UsageReport = z.infer<typeof UsageReport>;
