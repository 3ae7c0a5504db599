/**
 * Drives one workspace's agent through a running OpenCode server: one OpenCode session, reused
 * across prompts; each prompt is sent with `prompt_async` and followed on the SSE event stream
 * until the session is idle again.
 */
import { createOpencodeClient, type OpencodeClient } from '@opencode-ai/sdk/v2';
import { parseModel } from './config.js';
import { ActivityTranslator, type Activity, type OpenCodeEvent } from './translate.js';
import { TurnTracker, type SessionStatusType, type TurnEnd } from './turn.js';

export interface OpenCodeDriverOptions {
  /** The server's URL (`OpenCodeServer.url`). */
  url: string;
  /** `OpenCodeServer.authorization`. Secret. */
  authorization: string;
  /** The workspace directory OpenCode works in. */
  directory: string;
  /** Retries of a failing provider (429, 5xx) before the prompt fails. Default 4 (~30 s of backoff). */
  maxProviderRetries?: number;
  /** How long a stop may take before the prompt is reported stopped anyway. Default 5 s. */
  stopGraceMs?: number;
  /** Status poll interval, a safety net for events lost while the stream reconnects. Default 1 s. */
  statusPollMs?: number;
}

export interface RunPromptOptions {
  text: string;
  /** `provider/model`; omitted → OpenCode's configured default (`NIGHTSHIFT_MODEL`). */
  model?: string;
  /** Aborting ends the turn as `stopped`, also in the middle of a tool call. */
  signal?: AbortSignal;
  /** Every piece of agent activity, in order. Must not throw. */
  onActivity: (activity: Activity) => void;
}

export interface PromptResult {
  outcome: 'completed' | 'stopped' | 'failed';
  /** For `failed`: why, e.g. the model provider's message. */
  error?: string;
}

/** Consecutive failed status polls after which the server is considered gone. */
const MAX_FAILED_POLLS = 10;
/** A turn that OpenCode has not started by then is reported failed. */
const START_TIMEOUT_MS = 60_000;

export class OpenCodeDriver {
  private readonly client: OpencodeClient;
  private session: string | undefined;
  private running = false;

  constructor(private readonly options: OpenCodeDriverOptions) {
    this.client = createOpencodeClient({
      baseUrl: options.url,
      directory: options.directory,
      headers: { authorization: options.authorization },
    });
  }

  /** The OpenCode session id, once the first prompt created it. */
  get sessionId(): string | undefined {
    return this.session;
  }

  /** Runs one prompt to its end. Never rejects: every failure is a `failed` result. */
  async runPrompt(prompt: RunPromptOptions): Promise<PromptResult> {
    if (this.running)
      return { outcome: 'failed', error: 'another prompt is still running in this workspace' };
    this.running = true;
    try {
      return await this.run(prompt);
    } catch (error) {
      return { outcome: 'failed', error: `OpenCode driver: ${(error as Error).message}` };
    } finally {
      this.running = false;
    }
  }

  private async ensureSession(): Promise<string> {
    if (this.session) return this.session;
    const created = await this.client.session.create({ directory: this.options.directory });
    if (!created.data)
      throw new Error(`could not create an OpenCode session (HTTP ${created.response.status})`);
    this.session = created.data.id;
    return this.session;
  }

  private async run(prompt: RunPromptOptions): Promise<PromptResult> {
    const model = prompt.model ? parseModel(prompt.model) : undefined;
    if (prompt.model && !model)
      return { outcome: 'failed', error: `model must be "provider/model", got "${prompt.model}"` };
    if (prompt.signal?.aborted) return { outcome: 'stopped' };

    const sessionID = await this.ensureSession();
    const translator = new ActivityTranslator(sessionID);
    const tracker = new TurnTracker(sessionID, this.options.maxProviderRetries ?? 4);
    const streamAbort = new AbortController();
    const timers: NodeJS.Timeout[] = [];

    let settle!: (end: TurnEnd) => void;
    const ended = new Promise<TurnEnd>((resolve) => (settle = resolve));
    let done = false;
    const finish = (end: TurnEnd) => {
      if (done) return;
      done = true;
      settle(tracker.forceEnd(end));
    };
    const abortSession = () => void this.client.session.abort({ sessionID }).catch(() => {});
    const decide = (decision: { end?: TurnEnd; abort?: string }) => {
      if (decision.abort) abortSession();
      if (decision.end) finish(decision.end);
    };

    // Subscribe before prompting, so nothing of the turn is missed.
    const connected = this.followEvents(streamAbort.signal, (event) => {
      if (done) return;
      for (const activity of translator.translate(event)) prompt.onActivity(activity);
      decide(tracker.observe(event));
    });

    const onStop = () => {
      tracker.requestStop();
      abortSession();
      timers.push(setTimeout(() => finish({ outcome: 'stopped' }), this.options.stopGraceMs ?? 5000));
    };

    try {
      await connected;
      prompt.signal?.addEventListener('abort', onStop, { once: true });
      const sent = await this.client.session.promptAsync({
        sessionID,
        directory: this.options.directory,
        ...(model ? { model } : {}),
        parts: [{ type: 'text', text: prompt.text }],
      });
      if (sent.error !== undefined || !sent.response.ok)
        return { outcome: 'failed', error: `OpenCode refused the prompt (HTTP ${sent.response.status})` };
      if (prompt.signal?.aborted) onStop();

      timers.push(this.pollStatus(sessionID, tracker, decide, finish));
      timers.push(
        setTimeout(() => {
          if (!tracker.hasStarted)
            finish({ outcome: 'failed', error: 'OpenCode did not start working on the prompt' });
        }, START_TIMEOUT_MS),
      );
      const end = await ended;
      for (const activity of translator.closeOpenTools(end.outcome === 'stopped' ? 'stopped' : 'turn ended'))
        prompt.onActivity(activity);
      return end.error !== undefined ? { outcome: end.outcome, error: end.error } : { outcome: end.outcome };
    } finally {
      done = true;
      prompt.signal?.removeEventListener('abort', onStop);
      for (const timer of timers) clearTimeout(timer); // also clears intervals
      streamAbort.abort();
    }
  }

  /** Reads the event stream until `signal` aborts; resolves once the stream is connected. */
  private async followEvents(signal: AbortSignal, onEvent: (event: OpenCodeEvent) => void): Promise<void> {
    const subscription = await this.client.event.subscribe(
      { directory: this.options.directory },
      { signal, sseMaxRetryDelay: 2000, sseDefaultRetryDelay: 250 },
    );
    let markConnected!: () => void;
    const connected = new Promise<void>((resolve) => (markConnected = resolve));
    void (async () => {
      try {
        for await (const event of subscription.stream as AsyncIterable<OpenCodeEvent>) {
          markConnected();
          onEvent(event);
        }
      } catch {
        // aborted at the end of the turn; lost connections are retried by the SDK
      }
      markConnected();
    })();
    // The first event (`server.connected`) proves the stream is live; never wait forever for it.
    await Promise.race([connected, new Promise((r) => setTimeout(r, 5000))]);
  }

  /** Polls the session's status: catches an idle whose event was lost, and a server that is gone. */
  private pollStatus(
    sessionID: string,
    tracker: TurnTracker,
    decide: (d: { end?: TurnEnd }) => void,
    finish: (end: TurnEnd) => void,
  ): NodeJS.Timeout {
    let failures = 0;
    let inFlight = false;
    return setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      // An idle answer to a poll sent before the turn started says nothing about this turn.
      const startedWhenAsked = tracker.hasStarted;
      this.client.session
        .status({ directory: this.options.directory }, { signal: AbortSignal.timeout(3000) })
        .then((answer) => {
          if (!answer.data) throw new Error(`HTTP ${answer.response.status}`);
          failures = 0;
          const status = (answer.data as Record<string, { type?: string } | undefined>)[sessionID];
          const type = status?.type as SessionStatusType | undefined;
          if (type === 'busy' || type === 'retry' || startedWhenAsked) decide(tracker.status(type));
        })
        .catch(() => {
          failures += 1;
          if (failures >= MAX_FAILED_POLLS)
            finish({ outcome: 'failed', error: 'the OpenCode server stopped answering' });
        })
        .finally(() => (inFlight = false));
    }, this.options.statusPollMs ?? 1000);
  }
}
