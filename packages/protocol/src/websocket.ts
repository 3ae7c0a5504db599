import { z } from 'zod';
import { Author, ModelName } from './common.js';
import { ClientRequestId, PromptBody } from './message.js';

export const PresenceStatus = z.enum(['active', 'idle']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** Frames a client sends on `GET /api/sessions/:id/ws`. */
export const ClientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('prompt'),
    text: PromptBody.shape.text,
    author: Author.optional(),
    model: ModelName.optional(),
    clientRequestId: ClientRequestId.optional(),
  }),
  z.object({ type: z.literal('stop'), clearQueue: z.boolean().optional() }),
  z.object({ type: z.literal('cancel'), messageId: z.string().min(1) }),
  z.object({ type: z.literal('typing') }),
  z.object({ type: z.literal('presence'), user: Author, status: PresenceStatus }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export const Participant = z.object({ user: Author, status: PresenceStatus });
export type Participant = z.infer<typeof Participant>;

/** Frames other than timeline events that the server sends. */
export const PresenceUpdateFrame = z.object({
  type: z.literal('presence_update'),
  participants: z.array(Participant),
});
export const TypingFrame = z.object({ type: z.literal('typing'), user: Author });
export const AckFrame = z.object({
  type: z.literal('ack'),
  clientRequestId: z.string(),
  messageId: z.string(),
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  error: z.object({ code: z.string(), message: z.string() }),
  clientRequestId: z.string().optional(),
});
export const PongFrame = z.object({ type: z.literal('pong') });

export type PresenceUpdateFrame = z.infer<typeof PresenceUpdateFrame>;
export type TypingFrame = z.infer<typeof TypingFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type PongFrame = z.infer<typeof PongFrame>;

/** Server frames that are not timeline events; events are told apart by their `seq`. */
export type ServerSignalFrame = PresenceUpdateFrame | TypingFrame | AckFrame | ErrorFrame | PongFrame;
