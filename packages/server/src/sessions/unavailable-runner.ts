import type { AgentRunner, PromptResult } from './agent-runner.js';

/**
 * The runner used when no sandbox provider is configured: every prompt fails at once, with a
 * reason a person can act on, so nothing waits forever.
 */
export class UnavailableRunner implements AgentRunner {
  constructor(private readonly reason: string) {}

  async run(): Promise<PromptResult> {
    return { outcome: 'failed', error: this.reason };
  }

  async stop(): Promise<void> {}
}
