import type { BridgeDown, BridgeUp, CommitInfo } from '@nightshift/protocol';
import type { Logger } from '../log.js';
import type { SandboxRepo } from '../store/store.js';
import type { PromptJob, PromptResult, SessionContext } from '../sessions/agent-runner.js';
import type { SandboxHandle } from './provider.js';
import type { BridgePeer } from './bridge-endpoint.js';
import { browseUrls } from '../scm/browse-urls.js';

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
  session: () => Promise<{ repo: string; branch: string } | undefined>;
  /** Whether the session already shows its branch as an artifact (it is announced once). */
  hasBranchArtifact: () => Promise<boolean>;
}

type Phase = 'starting' | 'ready' | 'dead';

/**
 * One running sandbox as the control plane sees it: the bridge peer for its supervisor, the
 * prompt it is running, and its health. Messages are applied in order, each id once; acks go
 * back only after what a message carried is stored, so a restart of either side loses nothing.
 */
export class LiveSandbox implements BridgePeer {
  private phase: Phase = 'starting';
  private send: ((m: BridgeDown) => void) | null = null;
  private closeConnection: (() => void) | null = null;
  private ctx: SessionContext | null = null;
  private running: { messageId: string; resolve: (r: PromptResult) => void } | null = null;
  private readyWaiters: Array<(r: { ok: true } | { ok: false; error: string }) => void> = [];
  /** The last bridge message applied. */
  private lastBridgeId: number;
  /** The last bridge message whose effects are stored, with that fact: what may be acknowledged. */
  private storedUpTo: number;
  private checkpointing = false;
  /** Effects of applied messages still being written (a prompt result's artifacts). */
  private storing: Array<Promise<unknown>> = [];
  private ackTimer: NodeJS.Timeout | null = null;
  lastHeard = Date.now();
  connectedAt: number | null = null;
  /** What the supervisor said it was running when it (re)connected. */
  reportedRunning: string | null | undefined = undefined;
  private helloWaiters: Array<() => void> = [];
  private deathReason: string | null = null;
  private releasing = false;
  /** Messages that arrived before there was a timeline to put them on (after an adoption). */
  private held: Array<Exclude<BridgeUp, { type: 'hello' }>> = [];

  constructor(readonly options: LiveSandboxOptions) {
    this.lastBridgeId = options.lastBridgeId;
    this.storedUpTo = options.lastBridgeId;
    void options.handle.exited.then(async ({ code, signal }) => {
      const output = (await options.handle.output()).trim();
      const how = signal ? `was killed (${signal})` : `exited with code ${code ?? 'unknown'}`;
      this.die(
        `the sandbox ${how}${output ? `; its last output:\n${output.slice(-1500)}` : ''}`,
        this.releasing,
      );
    });
  }

  get id(): string {
    return this.options.sandboxId;
  }

  get isDead(): boolean {
    return this.phase === 'dead';
  }

  get isReady(): boolean {
    return this.phase === 'ready';
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
    const held = this.held.splice(0);
    for (const message of held) this.accept(message);
  }

  ready(): Promise<{ ok: true } | { ok: false; error: string }> {
    if (this.phase === 'ready') return Promise.resolve({ ok: true });
    if (this.phase === 'dead')
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
    if (this.phase === 'dead')
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
    if (message.type === 'hello') {
      this.reportedRunning = message.runningMessageId;
      if (this.options.adopted && this.phase === 'starting') {
        this.phase = 'ready';
        for (const w of this.readyWaiters.splice(0)) w({ ok: true });
      }
      for (const w of this.helloWaiters.splice(0)) w();
      // Tell it at once what is already stored, so it can drop that from its outbox.
      this.deliver({ type: 'ack', upTo: this.storedUpTo });
      return;
    }
    if (message.id <= this.lastBridgeId) return this.scheduleAck(); // a re-send of something already applied
    // Without a timeline to write to, nothing may be applied or acknowledged yet; order is kept.
    if (!this.ctx || this.held.length > 0) {
      if (!this.held.some((m) => m.id === message.id)) this.held.push(message);
      return;
    }
    this.accept(message);
  }

  private accept(message: Exclude<BridgeUp, { type: 'hello' }>): void {
    if (message.id <= this.lastBridgeId) return;
    this.lastBridgeId = message.id;
    const storing = this.apply(message);
    if (storing) {
      this.storing.push(
        storing.catch((err) =>
          this.options.log.error({ err, sandboxId: this.id }, 'could not store what the sandbox reported'),
        ),
      );
    }
    this.checkpoint();
  }

  /** Applies one message; returns what is still being stored, if anything. */
  private apply(message: Exclude<BridgeUp, { type: 'hello' }>): Promise<void> | void {
    const ctx = this.ctx;
    // Stored with the events a message produces: applied and recorded as applied in one write.
    const at = { sandboxId: this.id, lastBridgeId: message.id };
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'status':
        ctx?.emit(
          {
            type: 'sandbox_status',
            data: {
              status: message.status,
              ...(message.phase ? { phase: message.phase } : {}),
              ...(message.durationMs !== undefined ? { durationMs: message.durationMs } : {}),
              ...(message.output ? { output: message.output } : {}),
            },
          },
          at,
        );
        return;
      case 'ready':
        this.phase = 'ready';
        ctx?.emit({ type: 'sandbox_ready', data: { durationMs: message.durationMs } }, at);
        for (const w of this.readyWaiters.splice(0)) w({ ok: true });
        return;
      case 'activity':
        ctx?.emit({ type: 'sandbox_event', data: message.activity }, at);
        return;
      case 'error':
        ctx?.emit(
          {
            type: 'sandbox_error',
            data: { message: message.message, ...(message.phase ? { phase: message.phase } : {}) },
          },
          at,
        );
        if (this.phase === 'starting') {
          for (const w of this.readyWaiters.splice(0)) w({ ok: false, error: message.message });
        }
        return;
      case 'prompt_result':
        return this.finishPrompt(message.messageId, message.outcome, message.error, message.commit);
    }
  }

  private async finishPrompt(
    messageId: string,
    outcome: PromptResult['outcome'],
    error: string | undefined,
    commit: CommitInfo | null,
  ): Promise<void> {
    if (commit && this.ctx) {
      // Links come from the session's own repository and branch, never from what the sandbox
      // reports: a subverted sandbox must not put a page of its choosing in everyone's timeline.
      const session = await this.options.session();
      const browse = session ? browseUrls(session.repo) : null;
      await this.ctx.addArtifact({
        type: 'commit',
        // Only a pushed commit is there to be looked at on the host.
        url:
          commit.pushed && /^[0-9a-f]{7,64}$/.test(commit.sha) ? (browse?.commit(commit.sha) ?? null) : null,
        data: { ...commit, messageId },
      });
      if (commit.pushed && !(await this.options.hasBranchArtifact())) {
        await this.ctx.addArtifact({
          type: 'branch',
          url: session ? (browse?.branch(session.branch) ?? null) : null,
          data: { branch: commit.branch, sha: commit.sha, messageId },
        });
      }
    }
    if (this.running?.messageId === messageId) {
      const { resolve } = this.running;
      this.running = null;
      resolve({ outcome, ...(error ? { error } : {}) });
    }
  }

  private deliver(message: BridgeDown): void {
    // While disconnected, commands wait for the supervisor's next hello: it reports its state
    // and the runner re-issues what is still needed.
    this.send?.(message);
  }

  /**
   * Records how far this sandbox's messages are applied once everything they brought is stored
   * (events carry their own checkpoint, in the same write; this covers the rest, e.g. heartbeats
   * and a prompt's artifacts). Only then are they acknowledged: until it is stored, the sandbox
   * keeps a message to send again.
   */
  private checkpoint(): void {
    if (this.checkpointing) return; // the running one starts another when it ends
    this.checkpointing = true;
    const upTo = this.lastBridgeId;
    const storing = this.storing.splice(0);
    void Promise.all(storing)
      .then(() => this.ctx?.flushed())
      .then(() => this.options.sandboxes.update(this.id, { lastBridgeId: upTo }))
      .then(() => {
        this.storedUpTo = Math.max(this.storedUpTo, upTo);
        this.scheduleAck();
      })
      .catch((err) =>
        // Not acknowledged: the sandbox sends them again on its next connection.
        this.options.log.warn({ err, sandboxId: this.id }, 'could not record bridge messages as stored'),
      )
      .finally(() => {
        this.checkpointing = false;
        if (this.lastBridgeId > upTo) this.checkpoint();
      });
  }

  /** Acknowledgements are batched: one per burst of messages is enough (they are cumulative). */
  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.deliver({ type: 'ack', upTo: this.storedUpTo });
    }, 20);
  }

  private die(reason: string, expected = false): void {
    if (this.phase === 'dead') return;
    this.phase = 'dead';
    this.deathReason ??= reason;
    if (expected) this.ctx?.emit({ type: 'sandbox_status', data: { status: 'stopped', phase: 'released' } });
    else this.ctx?.emit({ type: 'sandbox_error', data: { message: this.deathReason } });
    this.closeConnection?.();
    for (const w of this.readyWaiters.splice(0)) w({ ok: false, error: this.deathReason });
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
