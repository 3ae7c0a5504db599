import { z } from 'zod';

/** A person who sends prompts and whose name goes on the commits made for them. */
export const Author = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  email: z.string().trim().email('must be an email address').max(320),
});
export type Author = z.infer<typeof Author>;

/** OpenCode's `provider/model` form, e.g. `anthropic/claude-sonnet-4-5`. */
export const ModelName = z
  .string()
  .trim()
  .max(200)
  .regex(/^[^/\s]+\/\S+$/, 'must be provider/model, e.g. anthropic/claude-sonnet-4-5');

export const Timestamp = z.string();

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
