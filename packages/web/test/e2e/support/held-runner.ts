import type { startServer } from '@nightshift/server';

type AgentRunner = NonNullable<NonNullable<Parameters<typeof startServer>[0]>['runner']>;
type RunArgs = Parameters<AgentRunner['run']>;
type PromptResult = Awaited<ReturnType<AgentRunner['run']>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stands where a sandbox would, at the server's public `runner` option, so the UI can be driven
 * through streaming text, tool calls, a running prompt, a queue and stop before the sandbox
 * pipeline is wired end to end. What it emits is exactly what the API documents; the browser
 * still talks only to the real server over REST and WebSocket.
 *
 * Prompt text picks the behaviour:
 * - contains "hold": stays running until stopped (or `releaseHeld()`);
 * - `many:N`: emits N events (text deltas and tool calls) as fast as possible (long timelines);
 * - anything else: streams a short markdown answer, runs a `bash` tool call and completes.
 */
export class HeldRunner implements AgentRunner {
  private readonly held = new Map<string, (r: PromptResult) => void>();

  async run(job: RunArgs[0], ctx: RunArgs[1]): Promise<PromptResult> {
    const { messageId } = job;
    const emitText = (partId: string, delta: string) =>
      ctx.emit({ type: 'sandbox_event', data: { messageId, kind: 'text', partId, delta } });

    const many = /many:(\d+)/.exec(job.text);
    if (many) {
      const n = Number(many[1]);
      for (let i = 0; i < n; i++) {
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
              output: 'ok',
            },
          });
        } else {
          // Alternating parts so the server's coalescing of adjacent deltas keeps them apart:
          // this really is one stored event per delta.
          emitText(`p${Math.floor(i / 50)}-${i % 2}`, `word${i} `);
        }
      }
      ctx.emit({
        type: 'sandbox_event',
        data: { messageId, kind: 'text', partId: 'last', delta: 'The end of a long answer.' },
      });
      await ctx.flushed();
      return { outcome: 'completed' };
    }

    if (job.text.includes('hold')) {
      emitText('p1', 'Working on it');
      return new Promise((resolve) => {
        this.held.set(messageId, resolve);
        ctx.signal.addEventListener('abort', () => {
          this.held.delete(messageId);
          resolve({ outcome: 'stopped' });
        });
      });
    }

    for (const delta of ['I will ', 'look at the ', 'repository first.']) {
      emitText('p1', delta);
      await sleep(30);
    }
    const tool = { messageId, kind: 'tool' as const, callId: 'call-1', tool: 'bash' };
    ctx.emit({ type: 'sandbox_event', data: { ...tool, status: 'pending', input: { command: 'ls -la' } } });
    await sleep(30);
    ctx.emit({ type: 'sandbox_event', data: { ...tool, status: 'running' } });
    await sleep(30);
    ctx.emit({
      type: 'sandbox_event',
      data: { ...tool, status: 'completed', output: 'README.md\npackage.json' },
    });
    for (const delta of [
      'Found a **README**',
      ' and `package.json`.\n\n',
      '- all good\n- nothing to change',
    ]) {
      emitText('p2', delta);
      await sleep(30);
    }
    ctx.emit({
      type: 'sandbox_event',
      data: { messageId, kind: 'step', tokens: { input: 1200, output: 340 }, cost: 0.0123 },
    });
    await ctx.flushed();
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}

  /** Ends every held prompt as completed. */
  releaseHeld(): void {
    for (const [id, resolve] of this.held) {
      this.held.delete(id);
      resolve({ outcome: 'completed' });
    }
  }
}
