import type { AgentRunner, PromptJob, PromptResult, RunContext } from '../../src/sessions/agent-runner.js';

/**
 * A runner for the control plane's own tests: it stands where a sandbox would (at the
 * AgentRunner port) and lets a test decide when each prompt ends, so queue and realtime
 * behaviour can be observed while prompts are genuinely in flight. The real sandbox runner has
 * its own end-to-end tests.
 */
export class ScriptedRunner implements AgentRunner {
  readonly started: PromptJob[] = [];
  private readonly pending = new Map<string, { resolve: (r: PromptResult) => void; ctx: RunContext }>();
  private readonly waiters: Array<() => void> = [];
  stops = 0;

  constructor(private readonly options: { autoComplete?: boolean; deltas?: string[] } = {}) {}

  run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    this.started.push(job);
    for (const w of this.waiters.splice(0)) w();
    for (const [i, delta] of (this.options.deltas ?? []).entries()) {
      ctx.emit({
        type: 'sandbox_event',
        data: { messageId: job.messageId, kind: 'text', partId: `p${i % 2}`, delta },
      });
    }
    if (this.options.autoComplete) return Promise.resolve({ outcome: 'completed' });
    return new Promise((resolve) => {
      this.pending.set(job.messageId, { resolve, ctx });
      ctx.signal.addEventListener('abort', () => {
        this.pending.delete(job.messageId);
        resolve({ outcome: 'stopped' });
      });
    });
  }

  async stop(): Promise<void> {
    this.stops += 1;
  }

  /** Each abandon, with how many prompts had started by then. */
  readonly abandoned: Array<{ sessionId: string; reason: string; startedBefore: number }> = [];

  async abandon(sessionId: string, reason: string): Promise<void> {
    this.abandoned.push({ sessionId, reason, startedBefore: this.started.length });
  }

  /** Ends a running prompt the way a sandbox would. */
  finish(messageId: string, result: PromptResult = { outcome: 'completed' }): void {
    const entry = this.pending.get(messageId);
    if (!entry) throw new Error(`prompt ${messageId} is not running`);
    this.pending.delete(messageId);
    entry.resolve(result);
  }

  emit(messageId: string, delta: string, partId = 'p'): void {
    this.pending
      .get(messageId)!
      .ctx.emit({ type: 'sandbox_event', data: { messageId, kind: 'text', partId, delta } });
  }

  running(): string[] {
    return [...this.pending.keys()];
  }

  async waitForStarts(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }
}
