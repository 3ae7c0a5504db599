import { z } from 'zod';
import { Author } from './common.js';
import { AgentActivity, PromptOutcome } from './event.js';
import { SandboxStatus } from './session.js';

/**
 * The bridge: one WebSocket from a sandbox's supervisor to the control plane, authenticated by
 * the session's sandbox token (`Authorization: Bearer <token>`).
 *
 * Delivery: every upward message carries `id`, increasing by one per sandbox process. The
 * control plane acknowledges cumulatively (`ack.upTo`) once what it carried is stored; the
 * supervisor keeps everything not yet acknowledged and sends it again after a reconnect, and the
 * control plane drops ids it has already stored. So a control-plane restart loses nothing.
 */

export const GitIdentity = Author;

export const CommitInfo = z.object({
  sha: z.string(),
  branch: z.string(),
  message: z.string(),
  author: Author,
  pushed: z.boolean(),
  remoteUrl: z.string().nullable(),
  /** Files left out of the commit because they hold a secret's value: the file and the secret's name. */
  withheld: z.array(z.object({ path: z.string(), secret: z.string() })).optional(),
});
export type CommitInfo = z.infer<typeof CommitInfo>;

const up = <T extends z.ZodRawShape>(shape: T) => z.object({ id: z.number().int().positive(), ...shape });

/** Sandbox → control plane. */
export const BridgeUp = z.discriminatedUnion('type', [
  /** First message on every connection: what the supervisor is doing, so a restarted control plane can reattach. */
  up({
    type: z.literal('hello'),
    sandboxId: z.string(),
    runningMessageId: z.string().nullable(),
    lastAckedId: z.number().int().nonnegative(),
  }),
  up({
    type: z.literal('status'),
    status: SandboxStatus,
    phase: z.string().optional(),
    durationMs: z.number().optional(),
    output: z.string().optional(),
  }),
  up({ type: z.literal('ready'), durationMs: z.number() }),
  up({ type: z.literal('activity'), activity: AgentActivity }),
  up({
    type: z.literal('prompt_result'),
    messageId: z.string(),
    outcome: PromptOutcome,
    error: z.string().optional(),
    commit: CommitInfo.nullable(),
  }),
  up({ type: z.literal('error'), message: z.string(), phase: z.string().optional() }),
  up({ type: z.literal('heartbeat') }),
]);
export type BridgeUp = z.infer<typeof BridgeUp>;

/** Control plane → sandbox. */
export const BridgeDown = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), upTo: z.number().int().nonnegative() }),
  z.object({
    type: z.literal('prompt'),
    messageId: z.string(),
    text: z.string(),
    author: GitIdentity,
    model: z.string().nullable(),
  }),
  z.object({ type: z.literal('stop'), messageId: z.string().nullable() }),
  z.object({ type: z.literal('snapshot'), reason: z.string() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type BridgeDown = z.infer<typeof BridgeDown>;

/**
 * Close codes the control plane ends a bridge connection with. A sandbox has one connection at a
 * time: a second one is refused while the current one still answers a ping.
 */
export const BridgeClose = {
  /** Refused: this sandbox's bridge is connected and answering. The supervisor retries with backoff. */
  alreadyConnected: 4001,
} as const;
