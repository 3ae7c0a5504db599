import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
} from '../../packages/server/src/sessions/agent-runner.js';

export const LAST_WORDS = 'The end of a long answer.';

/**
 * Stands where a sandbox would and writes a long timeline at once: the prompt text
 * `events:N` asks for N events, text deltas with a completed tool call every 50, the shape of a
 * long agent turn. Alternating part ids keep the server from merging deltas, so each is one event.
 */
export class LongTimelineRunner implements AgentRunner {
  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    const count = Number(/events:(\d+)/.exec(job.text)?.[1] ?? 0);
    const { messageId } = job;
    for (let i = 0; i < count - 1; i++) {
      if (i % 50 === 0) {
        ctx.emit({
          type: 'sandbox_event',
          data: {
            messageId,
            kind: 'tool',
            callId: `c${i}`,
            tool: 'read',
            status: 'completed',
            input: { filePath: `src/file${i}.ts` },
            output: `contents of file ${i}`,
          },
        });
      } else {
        const partId = `p${Math.floor(i / 50)}-${i % 2}`;
        ctx.emit({ type: 'sandbox_event', data: { messageId, kind: 'text', partId, delta: `word${i} ` } });
      }
    }
    ctx.emit({ type: 'sandbox_event', data: { messageId, kind: 'text', partId: 'last', delta: LAST_WORDS } });
    await ctx.flushed();
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}
}
