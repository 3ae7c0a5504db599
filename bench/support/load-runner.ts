import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
} from '../../packages/server/src/sessions/agent-runner.js';
import { pace } from './pace.js';

/**
 * Stands where a sandbox would and streams text deltas as fast as asked, so the benchmark
 * measures the control plane alone. The prompt text says what to send: {"count": N, "rate": R}
 * (R deltas per second; 0 means as fast as possible). Each delta carries its time stamp (see
 * pace.ts); alternating part ids keep deltas from being merged, so every delta is one event.
 */
export class LoadRunner implements AgentRunner {
  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    const { count, rate } = JSON.parse(job.text) as { count: number; rate: number };
    await pace(count, rate, (i, stamp) =>
      ctx.emit({
        type: 'sandbox_event',
        data: { messageId: job.messageId, kind: 'text', partId: `p${i % 2}`, delta: `${stamp.toFixed(3)};` },
      }),
    );
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}
}
