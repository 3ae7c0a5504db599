/**
 * OpenCode's SSE events → Nightshift's agent activity (`text` / `tool` / `step`). Pure: the
 * translator keeps what it has already emitted, so it can turn OpenCode's mix of deltas and
 * full-part updates into true deltas and status changes, each sent once.
 */
import type { AgentActivity } from '@nightshift/protocol';

type WithoutMessageId<T> = T extends unknown ? Omit<T, 'messageId'> : never;
/** Agent activity before the supervisor stamps it with the Nightshift message id. */
export type Activity = WithoutMessageId<AgentActivity>;

/** The envelope of an event on OpenCode's `/event` stream (only what we read). */
export interface OpenCodeEvent {
  type: string;
  properties?: Record<string, unknown>;
}

/** Tool input and output beyond this many bytes are cut, saying so. */
export const MAX_TOOL_PAYLOAD_BYTES = 16 * 1024;

export function truncateText(value: string, maxBytes = MAX_TOOL_PAYLOAD_BYTES): string {
  const bytes = Buffer.byteLength(value);
  if (bytes <= maxBytes) return value;
  const kept = Buffer.from(value)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${kept}\n… [truncated: ${bytes - Buffer.byteLength(kept)} more bytes]`;
}

/** Small inputs pass unchanged; a large one becomes `{ truncated: true, preview }`. */
export function truncateInput(input: unknown, maxBytes = MAX_TOOL_PAYLOAD_BYTES): unknown {
  const json = JSON.stringify(input ?? {});
  if (Buffer.byteLength(json) <= maxBytes) return input;
  return { truncated: true, bytes: Buffer.byteLength(json), preview: truncateText(json, maxBytes) };
}

interface ToolSeen {
  status: string;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asNumber = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

export class ActivityTranslator {
  private readonly roles = new Map<string, string>();
  private readonly partTypes = new Map<string, string>();
  /** Characters of each text part already emitted. */
  private readonly emitted = new Map<string, number>();
  private readonly tools = new Map<string, ToolSeen & { tool: string }>();

  constructor(private readonly sessionID: string) {}

  translate(event: OpenCodeEvent): Activity[] {
    const props = asRecord(event.properties);
    switch (event.type) {
      case 'message.updated': {
        const info = asRecord(props.info);
        if (info.sessionID === this.sessionID && typeof info.id === 'string')
          this.roles.set(info.id, String(info.role));
        return [];
      }
      case 'message.part.delta':
        return this.delta(props);
      case 'message.part.updated':
        return this.part(asRecord(props.part));
      default:
        return [];
    }
  }

  /**
   * Tools still pending or running when the turn ended (e.g. after an abort) are reported as
   * failed, so no one is left waiting on a call that will never finish.
   */
  closeOpenTools(reason: string): Activity[] {
    const closed: Activity[] = [];
    for (const [callId, seen] of this.tools) {
      if (seen.status !== 'pending' && seen.status !== 'running') continue;
      seen.status = 'error';
      closed.push({ kind: 'tool', callId, tool: seen.tool, status: 'error', error: reason });
    }
    return closed;
  }

  private isAssistantPart(sessionID: unknown, messageID: unknown): boolean {
    // The user's own prompt arrives as a text part too; only the agent's output is activity.
    return sessionID === this.sessionID && this.roles.get(String(messageID)) === 'assistant';
  }

  private delta(props: Record<string, unknown>): Activity[] {
    const partID = asString(props.partID);
    const delta = asString(props.delta);
    if (!partID || !delta || props.field !== 'text') return [];
    if (!this.isAssistantPart(props.sessionID, props.messageID)) return [];
    // Reasoning parts stream deltas too; only parts known to be text are shown as text. A delta
    // for a part not announced yet is picked up by the part's next full update.
    if (this.partTypes.get(partID) !== 'text') return [];
    this.emitted.set(partID, (this.emitted.get(partID) ?? 0) + delta.length);
    return [{ kind: 'text', partId: partID, delta }];
  }

  private part(part: Record<string, unknown>): Activity[] {
    const id = asString(part.id);
    const type = asString(part.type);
    if (!id || !type || !this.isAssistantPart(part.sessionID, part.messageID)) return [];
    this.partTypes.set(id, type);
    if (type === 'text') return this.textPart(id, part);
    if (type === 'tool') return this.toolPart(part);
    if (type === 'step-finish') return [this.stepFinish(part)];
    return [];
  }

  private textPart(id: string, part: Record<string, unknown>): Activity[] {
    if (part.synthetic === true) return [];
    const text = asString(part.text) ?? '';
    const sent = this.emitted.get(id) ?? 0;
    // OpenCode may re-send the whole text so far; only what is new goes out.
    if (text.length <= sent) return [];
    this.emitted.set(id, text.length);
    return [{ kind: 'text', partId: id, delta: text.slice(sent) }];
  }

  private toolPart(part: Record<string, unknown>): Activity[] {
    const callId = asString(part.callID) ?? asString(part.id) ?? '';
    const tool = asString(part.tool) ?? 'unknown';
    const state = asRecord(part.state);
    const status = asString(state.status);
    if (status !== 'pending' && status !== 'running' && status !== 'completed' && status !== 'error')
      return [];
    const seen = this.tools.get(callId);
    // Running updates repeat as output streams in; one event per status change is enough.
    if (seen?.status === status) return [];
    if (seen && (seen.status === 'completed' || seen.status === 'error')) return [];
    this.tools.set(callId, { status, tool });

    const activity: Activity = { kind: 'tool', callId, tool, status };
    const title = asString(state.title);
    if (title) activity.title = title;
    if (status !== 'pending' || Object.keys(asRecord(state.input)).length > 0)
      activity.input = truncateInput(state.input);
    if (status === 'completed') activity.output = truncateText(asString(state.output) ?? '');
    if (status === 'error') activity.error = truncateText(asString(state.error) ?? 'tool failed');
    return [activity];
  }

  private stepFinish(part: Record<string, unknown>): Activity {
    const tokens = asRecord(part.tokens);
    const cache = asRecord(tokens.cache);
    const activity: Activity = { kind: 'step' };
    const input = asNumber(tokens.input);
    const output = asNumber(tokens.output);
    if (input !== undefined && output !== undefined) {
      activity.tokens = { input, output };
      const reasoning = asNumber(tokens.reasoning);
      const cacheRead = asNumber(cache.read);
      const cacheWrite = asNumber(cache.write);
      if (reasoning !== undefined) activity.tokens.reasoning = reasoning;
      if (cacheRead !== undefined) activity.tokens.cacheRead = cacheRead;
      if (cacheWrite !== undefined) activity.tokens.cacheWrite = cacheWrite;
    }
    const cost = asNumber(part.cost);
    if (cost !== undefined) activity.cost = cost;
    return activity;
  }
}
