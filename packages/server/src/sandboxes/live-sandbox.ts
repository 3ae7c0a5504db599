import { maskDeep, type BridgeDown, type BridgeUp, type SecretMasker } from '@nightshift/protocol';
import type { Logger } from '../log.js';
import type { SandboxRepo } from '../store/store.js';
import type { PromptJob, PromptResult, SessionContext } from '../sessions/agent-runner.js';
import type { SandboxHandle } from './provider.js';
import type { BridgeConnection, BridgePeer } from './bridge-endpoint.js';
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
  /** Masks the session's secret values in what the sandbox sends, before it is stored. */
  mask?: SecretMasker;
  /** How long a connected supervisor may take to answer a ping before a newcomer replaces it. */
  answerWithinMs?: number;
}

/** Well above a round trip on a busy host, well below the supervisor's own dead-connection timeout. */
const ANSWER_WITHIN_MS = 2000;

type ReadyResult = { ok: true } | { ok: false; error: string };

/**
 * One running sandbox as the control plane sees it: the bridge peer for its supervisor, the
 * prompt it is running, and its health. What it sends goes through its inbox (in order, once,
 * acknowledged when stored).
 */
export class LiveSandbox implements BridgePeer {
  private state: SandboxPhase = 'starting';
  private connection: BridgeConnection | null = null;
  private ctx: SessionContext | null = null;
  /**
   * The prompt it holds until its result: `command` is what was sent (absent for one followed
   * after a restart), sent again on every hello that does not report it running.
   */
  private running: {
    messageId: string;
    resolve: (r: PromptResult) => void;
    command?: Extract<BridgeDown, { type: 'prompt' }>;
    stopRequested?: boolean;
  } | null = null;
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
    return this.connection !== null;
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
    const command = {
      type: 'prompt',
      messageId: job.messageId,
      text: job.text,
      author: job.author,
      model: job.model,
    } as const;
    return new Promise((resolve) => {
      this.running = { messageId: job.messageId, resolve, command };
      this.deliver(command);
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
    if (this.running) this.running.stopRequested = true;
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

  /**
   * One connection at a time, and the one that answers keeps it: a newcomer (the supervisor
   * reconnecting, or someone else holding its token) replaces it only if it no longer answers a
   * ping. Otherwise the newcomer is refused, so a stolen token cannot take over a live bridge and
   * feed the inbox ids that would make it drop the real supervisor's messages.
   */
  async onConnect(connection: BridgeConnection): Promise<boolean> {
    const log = this.options.log.child({ sandboxId: this.id });
    for (;;) {
      const current = this.connection;
      // A newcomer that left while we waited replaces nothing.
      if (this.state === 'dead' || !connection.open) return false;
      if (!current) break;
      if (await current.answers(this.options.answerWithinMs ?? ANSWER_WITHIN_MS)) {
        if (this.connection !== current) continue;
        log.warn('refused a second bridge connection: the sandbox is connected and answering');
        return false;
      }
      if (this.connection !== current) continue;
      log.warn('bridge connection replaced: the previous one stopped answering');
      this.connection = null;
      current.close('replaced by a newer connection');
    }
    this.connection = connection;
    this.connectedAt = Date.now();
    this.lastHeard = Date.now();
    return true;
  }

  onDisconnect(connection: BridgeConnection): void {
    // A replaced connection's close comes after its successor took over: it must not clear that.
    if (this.connection === connection) this.connection = null;
  }

  onMessage(message: BridgeUp, from: BridgeConnection): void {
    if (from !== this.connection) return;
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
    this.reissue(message.runningMessageId);
  }

  /**
   * A prompt sent while no connection was open (or on one that went away before it arrived) is
   * sent again on the next hello; the supervisor runs each prompt once and answers a repeat of a
   * finished one with its result, so sending again is always safe.
   */
  private reissue(reportedRunning: string | null): void {
    const running = this.running;
    if (!running?.command) return;
    if (reportedRunning !== running.messageId) this.deliver(running.command);
    if (running.stopRequested) this.deliver({ type: 'stop', messageId: running.messageId });
  }

  /** Applies one message from the inbox; returns what is still being stored, if anything. */
  private apply(message: CarriedUp): Promise<void> | void {
    const event = timelineEvent(message, this.options.mask);
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
      const masked = this.options.mask ? maskDeep(commit, this.options.mask) : commit;
      const artifacts = commitArtifacts(masked, messageId, await this.options.session());
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
    // While disconnected, a command is not queued here: the next hello re-issues what is still
    // needed (`reissue`), from the state the supervisor reports.
    this.connection?.send(message);
  }

  private die(reason: string, expected = false): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.deathReason ??= reason;
    this.ctx?.emit(deathEvent(this.deathReason, expected));
    this.connection?.close('the sandbox ended');
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
