import { randomBytes } from 'node:crypto';
import type { SecretMasker } from '@nightshift/protocol';
import type { Logger } from '../log.js';
import type { SessionRecord, Store } from '../store/store.js';
import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
  SessionContext,
} from '../sessions/agent-runner.js';
import type { Endpoint, SandboxHandle, SandboxProvider } from './provider.js';
import { LiveSandbox } from './live-sandbox.js';
import { hashToken, sameHash, type BridgePeer } from './bridge-endpoint.js';
import {
  afterReconnect,
  checkHealth,
  checkStart,
  monitorIntervalMs,
  type LifecycleLimits,
} from './lifecycle-rules.js';
import { newId } from '../ids.js';
import { gitPasswordFor } from '../scm/git-auth.js';
import { isModelCredentialOf } from '../models/credential.js';

export interface SandboxRunnerOptions extends LifecycleLimits {
  provider: SandboxProvider;
  store: Store;
  log: Logger;
  /** The supervisor's environment for a session, without the bridge token (added here). */
  sandboxEnv(session: SessionRecord, sandboxId: string, token: string): Promise<Record<string, string>>;
  /** Said on every sandbox start, e.g. that sandboxes run without isolation. */
  startNotice?: string;
  /** Masks a session's secret values in what its sandbox sends (the supervisor masks them first). */
  secretMasker?(session: SessionRecord): Promise<SecretMasker>;
}

/**
 * Runs prompts in sandboxes: starts one per session on demand, sends prompts over the bridge,
 * turns what comes back into timeline events, notices a sandbox that died, and releases idle
 * ones. Sandboxes outlive a control-plane restart and are adopted again on start. When to end,
 * release or give up on one is decided in `lifecycle-rules.ts`; this carries it out.
 */
export class SandboxRunner implements AgentRunner {
  private readonly live = new Map<string, LiveSandbox>();
  private readonly starting = new Map<string, Promise<LiveSandbox | { error: string }>>();
  private readonly idleSince = new Map<string, number>();
  private readonly masks = new Map<string, SecretMasker>();
  private readonly monitor: NodeJS.Timeout;

  constructor(private readonly options: SandboxRunnerOptions) {
    this.monitor = setInterval(() => void this.lookAfterSandboxes(), monitorIntervalMs(options));
    this.monitor.unref();
  }

  /** Adopts the sandboxes an earlier control-plane process left running; ends records of dead ones. */
  async adoptSurvivors(): Promise<number> {
    let adopted = 0;
    for (const record of await this.options.store.sandboxes.listLive()) {
      const handle = record.handle ? this.options.provider.adopt(record.id, record.handle) : undefined;
      if (!handle) {
        await this.options.store.sandboxes.update(record.id, {
          status: 'ended',
          endedAt: new Date().toISOString(),
        });
        continue;
      }
      await this.learnMask(record.sessionId).catch((err: unknown) =>
        this.options.log.warn({ sessionId: record.sessionId, err: String(err) }, 'cannot mask its secrets'),
      );
      // Its supervisor reconnects and says hello; what it sends waits until a prompt or a
      // reattach gives it a timeline.
      this.track(record.sessionId, record.id, record.tokenHash, handle, record.lastBridgeId, true);
      this.idleSince.set(record.sessionId, Date.now());
      adopted += 1;
    }
    return adopted;
  }

  /** Whether a client of the control plane runs inside one of the provider's sandboxes. */
  isSandboxPeer(remote: Endpoint, local: Endpoint): boolean {
    return this.options.provider.ownsPeer?.(remote, local) ?? false;
  }

  /** Bridge authentication: the live sandbox whose token this is. */
  peerFor(tokenHash: string): BridgePeer | undefined {
    return this.holderOf(tokenHash);
  }

  /** Git authentication: the session whose live sandbox was given this git password, if any. */
  sessionForGitPassword(password: string): string | undefined {
    for (const sandbox of this.live.values()) {
      if (sameHash(gitPasswordFor(sandbox.options.tokenHash), password)) return sandbox.options.sessionId;
    }
    return undefined;
  }

  /** Model proxy authentication: the session whose live sandbox was given this credential, if any. */
  sessionForModelCredential(credential: string): string | undefined {
    for (const sandbox of this.live.values()) {
      if (isModelCredentialOf(sandbox.options.tokenHash, credential)) return sandbox.options.sessionId;
    }
    return undefined;
  }

  private holderOf(tokenHash: string): LiveSandbox | undefined {
    for (const sandbox of this.live.values()) {
      if (sameHash(sandbox.options.tokenHash, tokenHash)) return sandbox;
    }
    return undefined;
  }

  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    this.idleSince.delete(job.session.id);
    const sandbox = await this.ensure(job.session, ctx);
    if ('error' in sandbox) return { outcome: 'failed', error: sandbox.error };
    if (ctx.signal.aborted) return { outcome: 'stopped' };
    ctx.emit({ type: 'sandbox_status', data: { status: 'running' } });
    const result = await sandbox.run(job);
    if (!sandbox.isDead) {
      ctx.emit({ type: 'sandbox_status', data: { status: 'ready' } });
      this.idleSince.set(job.session.id, Date.now());
    }
    return result;
  }

  async stop(sessionId: string): Promise<void> {
    this.live.get(sessionId)?.stop();
  }

  async abandon(sessionId: string, reason: string): Promise<void> {
    const sandbox = this.live.get(sessionId);
    this.live.delete(sessionId);
    this.idleSince.delete(sessionId);
    if (sandbox && !sandbox.isDead) await sandbox.kill(reason);
  }

  async warm(session: SessionRecord, ctx: SessionContext): Promise<void> {
    const result = await this.ensure(session, ctx);
    if (!('error' in result)) this.idleSince.set(session.id, Date.now());
  }

  async release(sessionId: string, reason: 'archived' | 'deleted' | 'idle' | 'shutdown'): Promise<void> {
    const sandbox = this.live.get(sessionId);
    this.live.delete(sessionId);
    this.idleSince.delete(sessionId);
    if (sandbox && !sandbox.isDead) await sandbox.shutdown();
    if (reason === 'deleted') await this.options.provider.discard(sessionId);
  }

  async reattach(job: PromptJob, ctx: RunContext): Promise<PromptResult | undefined> {
    const sandbox = this.live.get(job.session.id);
    if (!sandbox || sandbox.isDead) return undefined;
    this.idleSince.delete(job.session.id);
    // Follow first, then attach: attaching releases held messages, the result among them maybe.
    const result = sandbox.follow(job.messageId);
    sandbox.attach(ctx);
    // The supervisor reconnects with backoff; give it as long as a heartbeat may take.
    const said = await sandbox.hello(this.options.heartbeatStaleMs);
    const verdict = afterReconnect({ said, runningMessageId: sandbox.reportedRunning }, job.messageId);
    if (verdict.kind === 'end') {
      await sandbox.kill(verdict.reason);
      return undefined;
    }
    if (verdict.kind === 'follow') return this.settle(job.session.id, sandbox, await result);
    const finished = await Promise.race([result, delay(verdict.graceMs).then(() => undefined)]);
    if (finished === undefined) sandbox.unfollow(job.messageId);
    return finished && this.settle(job.session.id, sandbox, finished);
  }

  private settle(sessionId: string, sandbox: LiveSandbox, result: PromptResult): PromptResult {
    if (!sandbox.isDead) this.idleSince.set(sessionId, Date.now());
    return result;
  }

  /** Stops the health monitor. Sandboxes keep running (a restarted server adopts them) unless asked. */
  async close(options: { killSandboxes?: boolean } = {}): Promise<void> {
    clearInterval(this.monitor);
    if (options.killSandboxes) {
      await Promise.all([...this.live.keys()].map((id) => this.release(id, 'shutdown')));
    }
  }

  private ensure(session: SessionRecord, ctx: SessionContext): Promise<LiveSandbox | { error: string }> {
    const existing = this.live.get(session.id);
    if (existing && !existing.isDead) {
      existing.attach(ctx);
      return existing.ready().then((r) => (r.ok ? existing : { error: r.error }));
    }
    let pending = this.starting.get(session.id);
    if (!pending) {
      pending = this.spawn(session, ctx).finally(() => this.starting.delete(session.id));
      this.starting.set(session.id, pending);
    }
    return pending;
  }

  private async spawn(session: SessionRecord, ctx: SessionContext): Promise<LiveSandbox | { error: string }> {
    const started = Date.now();
    const sandboxId = newId('sbx');
    const token = randomBytes(32).toString('base64url');
    ctx.emit({ type: 'sandbox_spawning', data: { mode: 'fresh' } });
    if (this.options.startNotice) {
      ctx.emit({
        type: 'sandbox_status',
        data: { status: 'spawning', phase: 'notice', output: this.options.startNotice },
      });
    }
    let sandbox: LiveSandbox;
    try {
      await this.learnMask(session.id, session);
      const env = await this.options.sandboxEnv(session, sandboxId, token);
      await this.options.store.sandboxes.insert({
        id: sandboxId,
        sessionId: session.id,
        provider: this.options.provider.name,
        tokenHash: hashToken(token),
        status: 'starting',
        handle: null,
        lastBridgeId: 0,
        createdAt: new Date().toISOString(),
        endedAt: null,
      });
      const handle = await this.options.provider.start({ sandboxId, sessionId: session.id, env });
      await this.options.store.sandboxes.update(sandboxId, { handle: handle.handle, status: 'running' });
      sandbox = this.track(session.id, sandboxId, hashToken(token), handle, 0, false);
    } catch (err) {
      const message = `could not start a sandbox: ${err instanceof Error ? err.message : String(err)}`;
      ctx.emit({ type: 'sandbox_error', data: { message, phase: 'spawning' } });
      return { error: message };
    }
    sandbox.attach(ctx);
    const outcome = await Promise.race([sandbox.ready(), this.startDeadline(sandbox, Date.now())]);
    if (!outcome.ok) {
      if (!sandbox.isDead) await sandbox.kill(outcome.error);
      ctx.emit({ type: 'sandbox_error', data: { message: outcome.error } });
      this.live.delete(session.id);
      return { error: outcome.error };
    }
    this.options.log.info({ sessionId: session.id, sandboxId, ms: Date.now() - started }, 'sandbox ready');
    return sandbox;
  }

  private track(
    sessionId: string,
    sandboxId: string,
    tokenHash: string,
    handle: SandboxHandle,
    lastBridgeId: number,
    adopted: boolean,
  ): LiveSandbox {
    const sandbox = new LiveSandbox({
      sandboxId,
      sessionId,
      tokenHash,
      handle,
      lastBridgeId,
      adopted,
      sandboxes: this.options.store.sandboxes,
      log: this.options.log,
      session: () => this.options.store.sessions.get(sessionId),
      mask: (text) => this.masks.get(sessionId)?.(text) ?? text,
      hasBranchArtifact: async () =>
        (await this.options.store.artifacts.list(sessionId)).some((a) => a.type === 'branch'),
    });
    this.live.set(sessionId, sandbox);
    void handle.exited.then(() => {
      if (this.live.get(sessionId) === sandbox) this.live.delete(sessionId);
    });
    return sandbox;
  }

  private async learnMask(sessionId: string, known?: SessionRecord): Promise<void> {
    const session = known ?? (await this.options.store.sessions.get(sessionId));
    if (session && this.options.secretMasker)
      this.masks.set(sessionId, await this.options.secretMasker(session));
  }

  /** Resolves only if the start is overdue: a settled start has its answer from `ready()`. */
  private async startDeadline(
    sandbox: LiveSandbox,
    startedAt: number,
  ): Promise<{ ok: false; error: string }> {
    for (;;) {
      const verdict = checkStart({ phase: sandbox.phase, startedAt }, Date.now(), this.options);
      if (verdict.kind === 'overdue') return { ok: false, error: verdict.error };
      if (verdict.kind === 'settled') return new Promise(() => {});
      await delay(verdict.ms);
    }
  }

  private async lookAfterSandboxes(): Promise<void> {
    const now = Date.now();
    for (const [sessionId, sandbox] of this.live) {
      const verdict = checkHealth(
        {
          phase: sandbox.phase,
          adopted: sandbox.options.adopted,
          connectedAt: sandbox.connectedAt,
          lastHeard: sandbox.lastHeard,
          idleSince: this.idleSince.get(sessionId),
          runningMessageId: sandbox.runningMessageId,
        },
        now,
        this.options,
      );
      if (verdict.kind === 'end') {
        this.options.log.warn({ sessionId, sandboxId: sandbox.id }, 'sandbox stopped answering; ending it');
        await sandbox.kill(verdict.reason);
      } else if (verdict.kind === 'release') {
        this.options.log.info({ sessionId, sandboxId: sandbox.id }, 'releasing idle sandbox');
        await this.release(sessionId, 'idle');
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
