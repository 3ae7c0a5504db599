import type { BridgeDown, BridgeUp } from '@nightshift/protocol';
import type { Logger } from '../log.js';
import type { SandboxRepo } from '../store/store.js';
import type { PromptJob, PromptResult, SessionContext } from '../sessions/agent-runner.js';
import type { SandboxHandle } from './provider.js';
import type { BridgePeer } from './bridge-endpoint.js';
import { BridgeInbox, type CarriedUp } from './bridge-inbox.js';
import { timelineEvent } from './bridge-events.js';
import { commitArtifacts, type SessionPlace } from './commit-artifacts.js';
import { deathEvent, exitReason, type SandboxPhase } from './lifecycle-rules.js';

export interface LiveSandboxOptions {
  sandboxId: string;
  sessionId: string;
  tokenHash: string;
  handle: SandboxHandle;
  /** Bridge messages up to this id were already stored (by an earlier process, say). */
  lastBridgeId: number;
  /** Started by an earlier control-plane process: it was past its start when we lost sight of it. */
  adopted: boolean;
  sandboxes: SandboxRepo;
  log: Logger;
  /** The session's repository (as created, with any credentials) and branch, for artifact links. */
  session: () => Promise<SessionPlace | undefined>;
  /** Whether the session already shows its branch as an artifact (it is announced once). */
  hasBranchArtifact: () => Promise<boolean>;
}

type ReadyResult = { ok: true } | { ok: false; error: string };

/**
 * One running sandbox as the control plane sees it: the bridge peer for its supervisor, the
 * prompt it is running, and its health. What it sends goes through its inbox (in order, once,
 * acknowledged when stored).
 */
export class LiveSandbox implements BridgePeer {
  private state: SandboxPhase = 'starting';
  private send: ((m: BridgeDown) => void) | null = null;
  private closeConnection: (() => void) | null = null;
  private ctx: SessionContext | null = null;
  private running: { messageId: string; resolve: (r: PromptResult) => void } | null = null;
  private readyWaiters: Array<(r: ReadyResult) => void> = [];
  private readonly inbox: BridgeInbox;
  lastHeard = Date.now();
  connectedAt: number | null = null;
  /** What the supervisor said it was running when it (re)connected. */
  reportedRunning: string | null | undefined = undefined;
  private helloWaiters: Array<() => void> = [];
  private deathReason: string | null = null;
  private releasing = false;

  constructor(readonly options: LiveSandboxOptions) {
    this.inbox = new BridgeInbox({
      storedUpTo: options.lastBridgeId,
      apply: (message) => this.apply(message),
      record: async (upTo) => {
        await this.ctx?.flushed();
        await options.sandboxes.update(this.id, { lastBridgeId: upTo });
      },
      acknowledge: (upTo) => this.deliver({ type: 'ack', upTo }),
      log: options.log,
      sandboxId: options.sandboxId,
    });
    void options.handle.exited.then(async (exit) => {
      this.die(exitReason(exit, await options.handle.output()), this.releasing);
    });
  }

  get id(): string {
    return this.options.sandboxId;
  }

  get phase(): SandboxPhase {
    return this.state;
  }

  get isDead(): boolean {
    return this.state === 'dead';
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get connected(): boolean {
    return this.send !== null;
  }

  get runningMessageId(): string | null {
    return this.running?.messageId ?? null;
  }

  /** Events from now on go to this session context (the actor's timeline). */
  attach(ctx: SessionContext): void {
    this.ctx = ctx;
    this.inbox.openTimeline();
  }

  ready(): Promise<ReadyResult> {
    if (this.state === 'ready') return Promise.resolve({ ok: true });
    if (this.state === 'dead')
      return Promise.resolve({ ok: false, error: this.deathReason ?? 'the sandbox is gone' });
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves when the supervisor has said hello on a connection (or after `timeoutMs`). */
  hello(timeoutMs: number): Promise<boolean> {
    if (this.reportedRunning !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.helloWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  run(job: PromptJob): Promise<PromptResult> {
    if (this.state === 'dead')
      return Promise.resolve({ outcome: 'failed', error: this.deathReason ?? 'the sandbox is gone' });
    return new Promise((resolve) => {
      this.running = { messageId: job.messageId, resolve };
      this.deliver({
        type: 'prompt',
        messageId: job.messageId,
        text: job.text,
        author: job.author,
        model: job.model,
      });
    });
  }

  /** Follows a prompt the supervisor was already running when this control plane started. */
  follow(messageId: string): Promise<PromptResult> {
    return new Promise((resolve) => {
      this.running = { messageId, resolve };
    });
  }

  /** Gives up following a prompt (the supervisor does not know it). */
  unfollow(messageId: string): void {
    if (this.running?.messageId === messageId) this.running = null;
  }

  stop(): void {
    this.deliver({ type: 'stop', messageId: this.running?.messageId ?? null });
  }

  async shutdown(): Promise<void> {
    this.releasing = true;
    this.deliver({ type: 'shutdown' });
    const graceful = await Promise.race([
      this.options.handle.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref()),
    ]);
    if (!graceful) await this.options.handle.kill();
    this.die('the sandbox was released', true);
  }

  async kill(reason: string): Promise<void> {
    this.deathReason ??= reason;
    await this.options.handle.kill();
    this.die(reason);
  }

  // BridgePeer

  onConnect(send: (m: BridgeDown) => void, close: () => void): void {
    this.closeConnection?.();
    this.send = send;
    this.closeConnection = close;
    this.connectedAt = Date.now();
    this.lastHeard = Date.now();
  }

  onDisconnect(): void {
    this.send = null;
    this.closeConnection = null;
  }

  onMessage(message: BridgeUp): void {
    this.lastHeard = Date.now();
    if (message.type !== 'hello') return this.inbox.receive(message);
    this.reportedRunning = message.runningMessageId;
    // An adopted sandbox was past its start: saying hello is all it has left to do to be ready.
    if (this.options.adopted && this.state === 'starting') {
      this.state = 'ready';
      this.settleReady({ ok: true });
    }
    for (const w of this.helloWaiters.splice(0)) w();
    this.inbox.acknowledgeNow();
  }

  /** Applies one message from the inbox; returns what is still being stored, if anything. */
  private apply(message: CarriedUp): Promise<void> | void {
    const event = timelineEvent(message);
    // Stored with the events a message produces: applied and recorded as applied in one write.
    if (event) this.ctx?.emit(event, { sandboxId: this.id, lastBridgeId: message.id });
    switch (message.type) {
      case 'ready':
        this.state = 'ready';
        this.settleReady({ ok: true });
        return;
      case 'error':
        if (this.state === 'starting') this.settleReady({ ok: false, error: message.message });
        return;
      case 'prompt_result':
        return this.finishPrompt(message);
    }
  }

  private async finishPrompt(result: Extract<CarriedUp, { type: 'prompt_result' }>): Promise<void> {
    const { messageId, outcome, error, commit } = result;
    if (commit && this.ctx) {
      const artifacts = commitArtifacts(commit, messageId, await this.options.session());
      await this.ctx.addArtifact(artifacts.commit);
      if (artifacts.branch && !(await this.options.hasBranchArtifact()))
        await this.ctx.addArtifact(artifacts.branch);
    }
    if (this.running?.messageId === messageId) {
      const { resolve } = this.running;
      this.running = null;
      resolve({ outcome, ...(error ? { error } : {}) });
    }
  }

  private settleReady(result: ReadyResult): void {
    for (const w of this.readyWaiters.splice(0)) w(result);
  }

  private deliver(message: BridgeDown): void {
    // While disconnected, commands wait for the supervisor's next hello: it reports its state
    // and the runner re-issues what is still needed.
    this.send?.(message);
  }

  private die(reason: string, expected = false): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.deathReason ??= reason;
    this.ctx?.emit(deathEvent(this.deathReason, expected));
    this.closeConnection?.();
    this.settleReady({ ok: false, error: this.deathReason });
    if (this.running) {
      const { resolve } = this.running;
      this.running = null;
      resolve({ outcome: 'failed', error: this.deathReason });
    }
    void this.options.sandboxes
      .update(this.id, { status: 'ended', endedAt: new Date().toISOString() })
      .catch(() => undefined);
  }
}
