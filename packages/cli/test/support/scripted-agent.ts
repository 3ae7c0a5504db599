import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
} from '../../../server/src/sessions/agent-runner.js';

/**
 * Stands where a sandbox would (the server's AgentRunner port) so the CLI can be shown a
 * realistic timeline: sandbox phases, streamed text, a tool call, a commit. A prompt whose text
 * contains "hang" runs until stopped; "fail" fails.
 */
export class ScriptedAgent implements AgentRunner {
  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    const id = job.messageId;
    ctx.emit({ type: 'sandbox_spawning', data: { mode: 'fresh' } });
    ctx.emit({
      type: 'sandbox_status',
      data: { status: 'syncing', phase: 'clone', durationMs: 120, output: 'main at abc123' },
    });
    ctx.emit({ type: 'sandbox_ready', data: { durationMs: 850 } });
    ctx.emit({
      type: 'sandbox_event',
      data: { messageId: id, kind: 'text', partId: 'p1', delta: 'Looking at ' },
    });
    ctx.emit({
      type: 'sandbox_event',
      data: { messageId: id, kind: 'text', partId: 'p1', delta: 'the repo.' },
    });
    const tool = {
      messageId: id,
      kind: 'tool' as const,
      callId: 'c1',
      tool: 'bash',
      input: { command: 'ls -la' },
    };
    ctx.emit({ type: 'sandbox_event', data: { ...tool, status: 'pending' } });
    ctx.emit({ type: 'sandbox_event', data: { ...tool, status: 'running' } });
    ctx.emit({ type: 'sandbox_event', data: { ...tool, status: 'completed', output: 'README.md' } });
    if (job.text.includes('hang')) {
      return new Promise((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve({ outcome: 'stopped' })),
      );
    }
    if (job.text.includes('fail')) return { outcome: 'failed', error: 'the scripted agent was told to fail' };
    await ctx.addArtifact({
      type: 'commit',
      url: null,
      data: {
        sha: 'f00dfeedcafe1234',
        branch: job.session.branch,
        message: 'Add notes',
        author: job.author,
        pushed: true,
      },
    });
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}
}
