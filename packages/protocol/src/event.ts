import { z } from 'zod';
import { Author, Timestamp } from './common.js';
import { SandboxStatus, SessionStatus } from './session.js';
import { Artifact } from './artifact.js';
import { UsageTotals } from './usage.js';
import { PullRequestUpdated } from './github.js';

export const PromptOutcome = z.enum(['completed', 'stopped', 'failed']);
export type PromptOutcome = z.infer<typeof PromptOutcome>;

export const SandboxMode = z.enum(['warm', 'snapshot', 'image', 'fresh']);
export type SandboxMode = z.infer<typeof SandboxMode>;

export const ToolStatus = z.enum(['pending', 'running', 'completed', 'error']);
export type ToolStatus = z.infer<typeof ToolStatus>;

export const TextActivity = z.object({
  messageId: z.string(),
  kind: z.literal('text'),
  partId: z.string(),
  delta: z.string(),
});
export const ToolActivity = z.object({
  messageId: z.string(),
  kind: z.literal('tool'),
  callId: z.string(),
  tool: z.string(),
  status: ToolStatus,
  title: z.string().optional(),
  input: z.unknown().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
});
export const StepActivity = z.object({
  messageId: z.string(),
  kind: z.literal('step'),
  tokens: z
    .object({
      input: z.number(),
      output: z.number(),
      reasoning: z.number().optional(),
      cacheRead: z.number().optional(),
      cacheWrite: z.number().optional(),
    })
    .optional(),
  cost: z.number().optional(),
});
/** What the agent did, as streamed from the sandbox. */
export const AgentActivity = z.discriminatedUnion('kind', [TextActivity, ToolActivity, StepActivity]);
export type AgentActivity = z.infer<typeof AgentActivity>;
export type TextActivity = z.infer<typeof TextActivity>;
export type ToolActivity = z.infer<typeof ToolActivity>;
export type StepActivity = z.infer<typeof StepActivity>;

/** The data each timeline event type carries. */
export const EventData = {
  session_status: z.object({ status: SessionStatus }),
  prompt_queued: z.object({
    messageId: z.string(),
    author: Author,
    position: z.number(),
    /** The prompt itself, so a timeline reads without fetching messages. Absent on older events. */
    text: z.string().optional(),
  }),
  prompt_started: z.object({ messageId: z.string() }),
  prompt_completed: z.object({
    messageId: z.string(),
    outcome: PromptOutcome,
    error: z.string().optional(),
    /** The prompt's model calls through the proxy; absent when it made none. */
    usage: UsageTotals.optional(),
  }),
  prompt_cancelled: z.object({ messageId: z.string() }),
  sandbox_spawning: z.object({ mode: SandboxMode }),
  sandbox_status: z.object({
    status: SandboxStatus,
    phase: z.string().optional(),
    durationMs: z.number().optional(),
    output: z.string().optional(),
  }),
  sandbox_ready: z.object({ durationMs: z.number() }),
  sandbox_error: z.object({ message: z.string(), phase: z.string().optional() }),
  sandbox_event: AgentActivity,
  artifact_created: Artifact,
  snapshot_saved: z.object({ snapshotId: z.string(), reason: z.string() }),
  pull_request_updated: PullRequestUpdated,
} as const;

export type EventType = keyof typeof EventData;
export const EventType = z.enum(Object.keys(EventData) as [EventType, ...EventType[]]);

export type EventDataOf<T extends EventType> = z.infer<(typeof EventData)[T]>;

/** An event as it is appended, before the timeline gives it a `seq` and a time. */
export type EventInput = { [T in EventType]: { type: T; data: EventDataOf<T> } }[EventType];

/** An event on a session's timeline: the same envelope on REST, SSE and WebSocket. */
export type SessionEvent = EventInput & { seq: number; at: string };

export const SessionEvent = z.object({
  seq: z.number().int().positive(),
  type: EventType,
  at: Timestamp,
  data: z.record(z.string(), z.unknown()),
});

export const EventsQuery = z.object({
  after: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .nonnegative('must not be negative')
    .optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .optional(),
});

export const EventList = z.object({ events: z.array(SessionEvent) });
