/**
 * Token counts read from a provider's answer as it passes through the proxy, in both wire
 * formats, streamed (SSE) or not. Pure: bytes in, counts out; nothing here waits or writes.
 */
import type { WireFormat } from './providers.js';

export interface CallUsage {
  /** The model the provider says answered (falls back to the one asked for). */
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** False when the answer carried no usage at all (an error, a dropped stream). */
  reported: boolean;
}

export const NO_USAGE: CallUsage = {
  model: null,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reported: false,
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * One JSON object of an answer (a whole non-streamed body, or one SSE event's data) folded into
 * what is known so far. Anthropic reports input (and cache) tokens in `message_start` and the
 * running output count in each `message_delta`; OpenAI in one `usage` object (the last chunk of a
 * stream with `stream_options.include_usage`, or the body), Responses API under `response.usage`.
 */
export function foldUsage(wire: WireFormat, usage: CallUsage, event: unknown): CallUsage {
  if (!isObject(event)) return usage;
  if (wire === 'anthropic') return foldAnthropic(usage, event);
  return foldOpenAI(usage, event);
}

function foldAnthropic(usage: CallUsage, event: Json): CallUsage {
  // message_start carries the message; a non-streamed body is the message itself.
  const message = event.type === 'message_start' && isObject(event.message) ? event.message : event;
  const model = typeof message.model === 'string' ? message.model : usage.model;
  const u = isObject(message.usage) ? message.usage : isObject(event.usage) ? event.usage : null;
  if (!u) return { ...usage, model };
  const next: CallUsage = { ...usage, model, reported: true };
  // A message_delta's counts are cumulative for the message; it may also restate input counts.
  if ('input_tokens' in u) next.inputTokens = count(u.input_tokens);
  if ('output_tokens' in u) next.outputTokens = count(u.output_tokens);
  if ('cache_read_input_tokens' in u) next.cacheReadTokens = count(u.cache_read_input_tokens);
  if ('cache_creation_input_tokens' in u) next.cacheWriteTokens = count(u.cache_creation_input_tokens);
  return next;
}

function foldOpenAI(usage: CallUsage, event: Json): CallUsage {
  const response = isObject(event.response) ? event.response : event;
  const model = typeof response.model === 'string' ? response.model : usage.model;
  const u = isObject(response.usage) ? response.usage : null;
  if (!u) return { ...usage, model };
  // Chat Completions: prompt/completion_tokens; Responses API: input/output_tokens.
  const input = count(u.prompt_tokens ?? u.input_tokens);
  const details = isObject(u.prompt_tokens_details)
    ? u.prompt_tokens_details
    : isObject(u.input_tokens_details)
      ? u.input_tokens_details
      : {};
  const cached = count(details.cached_tokens);
  return {
    model,
    // OpenAI counts cached tokens inside the prompt tokens; they are priced apart.
    inputTokens: Math.max(0, input - cached),
    outputTokens: count(u.completion_tokens ?? u.output_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reported: true,
  };
}

/**
 * Reads an SSE stream as it arrives, in whatever pieces the network cuts it into, and folds the
 * data of each event into the usage. Lines longer than `maxLineBytes` are skipped, not kept.
 */
export class StreamUsageReader {
  private pending = '';
  private skipping = false;
  private current: CallUsage;

  constructor(
    private readonly wire: WireFormat,
    requestedModel: string | null,
    private readonly maxLineBytes = 4 * 1024 * 1024,
  ) {
    this.current = { ...NO_USAGE, model: requestedModel };
  }

  push(chunk: string): void {
    let text = this.pending + chunk;
    this.pending = '';
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, newline).replace(/\r$/, '');
      text = text.slice(newline + 1);
      if (this.skipping) this.skipping = false;
      else this.line(line);
    }
    if (text.length > this.maxLineBytes) this.skipping = true;
    else this.pending = text;
  }

  get usage(): CallUsage {
    return this.current;
  }

  private line(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (!data || data === '[DONE]') return;
    try {
      this.current = foldUsage(this.wire, this.current, JSON.parse(data));
    } catch {
      // Not JSON: nothing to count in it.
    }
  }
}

/** The usage of a whole (non-streamed) JSON answer. */
export function usageOfBody(wire: WireFormat, requestedModel: string | null, body: string): CallUsage {
  try {
    return foldUsage(wire, { ...NO_USAGE, model: requestedModel }, JSON.parse(body));
  } catch {
    return { ...NO_USAGE, model: requestedModel };
  }
}
