import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
} from '../../packages/server/src/sessions/agent-runner.js';
import { wallNow } from './machine.js';

/**
 * Stands where a sandbox would and streams text deltas as fast as asked, so the benchmark
 * measures the control plane alone. The prompt text says what to send: {"count": N, "rate": R}
 * (R deltas per second; 0 means as fast as possible). Each delta carries the time it was
 * emitted; alternating part ids keep deltas from being merged, so every delta is one event.
 */
export class LoadRunner implements AgentRunner {
  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    const { count, rate } = JSON.parse(job.text) as { count: number; rate: number };
    const emit = (i: number) =>
      ctx.emit({
        type: 'sandbox_event',
        data: {
          messageId: job.messageId,
          kind: 'text',
          partId: `p${i % 2}`,
          delta: `${wallNow().toFixed(3)};`,
        },
      });
    let sent = 0;
    if (rate === 0) {
      while (sent < count) {
        for (let k = 0; k < 500 && sent < count; k++) emit(sent++);
        await new Promise((r) => setImmediate(r));
      }
    } else {
      const started = wallNow();
      while (sent < count) {
        const due = Math.min(count, Math.floor(((wallNow() - started) / 1000) * rate));
        while (sent < due) emit(sent++);
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}
}
