import { z } from 'zod';
import { Author, ModelName, Timestamp } from './common.js';

export const MessageStatus = z.enum(['queued', 'running', 'completed', 'stopped', 'failed', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** Statuses a message never leaves. */
export const finalMessageStatuses: readonly MessageStatus[] = ['completed', 'stopped', 'failed', 'cancelled'];

export const Message = z.object({
  id: z.string(),
  text: z.string(),
  author: Author,
  model: z.string().nullable(),
  status: MessageStatus,
  error: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type Message = z.infer<typeof Message>;

export const MAX_PROMPT_LENGTH = 100_000;

export const ClientRequestId = z.string().trim().min(1).max(200);

export const PromptBody = z.object({
  text: z
    .string()
    .max(MAX_PROMPT_LENGTH, `must be at most ${MAX_PROMPT_LENGTH} characters`)
    .refine((t) => t.trim().length > 0, 'must not be empty'),
  author: Author.optional(),
  model: ModelName.optional(),
  clientRequestId: ClientRequestId.optional(),
});
export type PromptBody = z.infer<typeof PromptBody>;

export const PromptAccepted = z.object({
  messageId: z.string(),
  /** `queued` or `running` for a new prompt; a repeated clientRequestId reports the prompt's status now. */
  status: MessageStatus,
  position: z.number().int().nonnegative(),
});
export type PromptAccepted = z.infer<typeof PromptAccepted>;

export const StopBody = z.object({ clearQueue: z.boolean().optional() });
export type StopBody = z.infer<typeof StopBody>;

export const MessageList = z.object({ messages: z.array(Message) });
export type MessageList = z.infer<typeof MessageList>;
