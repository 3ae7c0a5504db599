/**
 * The supervisor: brings the workspace up (sync, setup.sh, start.sh, OpenCode), then runs the
 * prompts the control plane sends, one at a time, committing and pushing after each. Decisions
 * come from `decide.ts`; this file only carries them out.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createSecretMasker,
  maskDeep,
  repositoryEnv,
  type AgentActivity,
  type CommitInfo,
  type PromptOutcome,
  type SecretMasker,
} from '@nightshift/protocol';
import type { BridgeCommand } from '../bridge/client.js';
import type { UpBody } from '../bridge/outbox.js';
import {
  checkout,
  credentialEnv,
  publish,
  remoteSecrets,
  scrub,
  setPromptIdentity,
  type GitEnv,
} from '../git/index.js';
import { decide, initialState, type Action, type PromptCommand, type SupervisorEvent } from './decide.js';
import type { SupervisorConfig } from './env.js';
import { allSecrets, configSecrets } from './env.js';
import { openAgentEnvChannel, type AgentEnvChannel } from '../secrets/agent-env.js';
import { writeMemoryPriorityPlugin } from '../opencode/memory-priority.js';
import { StreamedTextMasker } from '../secrets/streamed-text.js';
import type { Activity } from '../opencode/index.js';
import type { Logger } from './log.js';
import { OpenCodeKeeper } from './opencode-keeper.js';
import { planStart } from './plan.js';
import { describeRun, runScript } from './scripts.js';

export interface SupervisorDeps {
  /** Queues a message to the control plane (the bridge client's `send`). */
  send: (message: UpBody) => void;
  log: Logger;
  /** When the sandbox process started: `ready` reports the time from there. */
  startedAt: number;
  /** Called once shutdown has stopped everything; main waits for the bridge, then exits 0. */
  onShutdown: () => void;
  /** The environment repository scripts and the agent start from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** The bridge's connection state: while it is down, so is the control plane. */
  bridge?: { readonly connected: boolean; whenConnected(): Promise<void> };
}

/** Pushes to an origin the control plane serves, retried after it comes back, at most this often. */
const PUSH_ATTEMPTS = 4;

export class Supervisor {
  private state = initialState();
  private readonly aborts = new Map<string, AbortController>();
  private readonly prompts = new Set<Promise<void>>();
  private readonly secrets: string[];
  private readonly git: GitEnv;
  private readonly keeper: OpenCodeKeeper;
  private readonly env: Record<string, string | undefined>;
  /** Every secret value becomes `[secret:NAME]` in whatever goes up the bridge. */
  private readonly mask: SecretMasker;
  private readonly plugins: string[] = [];
  private agentEnv: AgentEnvChannel | null = null;

  constructor(
    private readonly config: SupervisorConfig,
    private readonly deps: SupervisorDeps,
  ) {
    this.secrets = [...configSecrets(config), ...remoteSecrets(config.remote)];
    this.git = { env: credentialEnv(config.remote), secrets: this.secrets };
    this.env = deps.env ?? process.env;
    this.mask = createSecretMasker(allSecrets(config));
    this.keeper = new OpenCodeKeeper({
      plugins: this.plugins,
      workspace: config.workspace,
      stateDir: config.stateDir,
      models: config.models,
      env: this.env,
      onCrash: (message) => {
        deps.log('warn', message);
        this.send({ type: 'error', message, phase: 'opencode' });
      },
      onLog: (message) => deps.log('info', message),
    });
  }

  /** The prompt running now, for the bridge's hello. */
  get runningMessageId(): string | null {
    return this.state.running?.messageId ?? null;
  }

  get lifecycle() {
    return this.state.lifecycle;
  }

  handle(command: BridgeCommand): void {
    this.dispatch({ type: 'command', command });
  }

  /** Brings the sandbox up, phase by phase. Never rejects: a failure is reported and remembered. */
  async start(): Promise<void> {
    const { config } = this;
    let phase = 'syncing';
    try {
      const t = Date.now();
      const co = await checkout({ ...config, git: this.git });
      this.send({
        type: 'status',
        status: 'syncing',
        phase: co.mode,
        durationMs: Date.now() - t,
        output: `${config.branch} at ${co.head.slice(0, 12)} (${describeSource(co.source, config)})`,
      });

      const plan = planStart(co.mode === 'clone', (p) => existsSync(path.join(config.workspace, p)));
      // Both scopes reach the scripts, and only while they run.
      const scriptEnv = { ...repositoryEnv(this.env), ...config.secrets.setup, ...config.secrets.agent };
      if (plan.setup) {
        phase = 'setup';
        const run = await runScript({
          script: plan.setup,
          cwd: config.workspace,
          env: scriptEnv,
          timeoutMs: config.setupTimeoutMs,
          secrets: this.secrets,
        });
        // A failed setup does not stop the sandbox: the agent can still work, and often fix it.
        this.send({
          type: 'status',
          status: 'setup',
          phase: 'setup',
          durationMs: run.durationMs,
          output: `${describeRun(plan.setup, run, config.setupTimeoutMs)}\n${run.output}`.trim(),
        });
      }
      if (plan.start) {
        phase = 'start';
        const run = await runScript({
          script: plan.start,
          cwd: config.workspace,
          env: scriptEnv,
          timeoutMs: config.startScriptTimeoutMs,
          secrets: this.secrets,
        });
        const summary = describeRun(plan.start, run, config.startScriptTimeoutMs);
        this.send({
          type: 'status',
          status: 'starting',
          phase: 'start',
          durationMs: run.durationMs,
          output: `${summary}\n${run.output}`.trim(),
        });
        if (!run.ok) throw new Error(`${summary}:\n${run.output.trim().slice(-2000)}`);
      }

      phase = 'opencode';
      const t2 = Date.now();
      this.plugins.push(writeMemoryPriorityPlugin(config.stateDir));
      if (Object.keys(config.secrets.agent).length > 0) {
        this.agentEnv = await openAgentEnvChannel(config.stateDir, config.secrets.agent);
        this.plugins.push(this.agentEnv.pluginUrl);
      }
      await this.keeper.start();
      this.send({ type: 'status', status: 'starting', phase: 'opencode', durationMs: Date.now() - t2 });
      this.send({ type: 'ready', durationMs: Date.now() - this.deps.startedAt });
      this.deps.log('info', 'sandbox ready', { durationMs: Date.now() - this.deps.startedAt });
      this.dispatch({ type: 'ready' });
    } catch (error) {
      const message = scrub((error as Error).message, this.secrets);
      this.deps.log('error', 'sandbox start failed', { phase, error: message });
      this.send({ type: 'status', status: 'failed', phase });
      this.send({ type: 'error', message, phase });
      this.dispatch({ type: 'start_failed', error: message });
    }
  }

  /** Stops OpenCode and waits for running prompts to deliver their results. */
  async shutdown(): Promise<void> {
    this.dispatch({ type: 'command', command: { type: 'shutdown' } });
  }

  private dispatch(event: SupervisorEvent): void {
    const { state, actions } = decide(this.state, event);
    this.state = state;
    for (const action of actions) this.perform(action);
  }

  private perform(action: Action): void {
    switch (action.kind) {
      case 'run': {
        const done = this.runPrompt(action.prompt).finally(() => this.prompts.delete(done));
        this.prompts.add(done);
        return;
      }
      case 'abort':
        this.aborts.get(action.messageId)?.abort();
        return;
      case 'answer':
        this.send({
          type: 'prompt_result',
          messageId: action.messageId,
          outcome: action.outcome,
          ...(action.error ? { error: action.error } : {}),
          commit: null,
        });
        return;
      case 'report_error':
        this.send({ type: 'error', message: action.message });
        return;
      case 'log':
        this.deps.log('info', action.message);
        return;
      case 'shutdown':
        void this.stopEverything();
        return;
    }
  }

  private async stopEverything(): Promise<void> {
    this.deps.log('info', 'shutting down');
    // Give a stopped prompt the time to commit what it did and report.
    await Promise.race([Promise.allSettled([...this.prompts]), delay(15_000)]);
    await this.keeper.stop();
    await this.agentEnv?.close();
    this.deps.onShutdown();
  }

  private async runPrompt(prompt: PromptCommand): Promise<void> {
    const { config } = this;
    const controller = new AbortController();
    this.aborts.set(prompt.messageId, controller);
    this.deps.log('info', 'prompt started', { messageId: prompt.messageId });
    let outcome: PromptOutcome = 'failed';
    let error: string | undefined;
    let commit: CommitInfo | null = null;
    const streamed = new StreamedTextMasker(allSecrets(config), this.mask);
    const report = (activity: Activity) =>
      this.send({
        type: 'activity',
        activity: { ...activity, messageId: prompt.messageId } as AgentActivity,
      });
    const releaseHeldText = () => {
      for (const held of streamed.flush()) report({ kind: 'text', ...held });
    };
    try {
      await setPromptIdentity(config.workspace, prompt.author, config.bot, this.git);
      if (!controller.signal.aborted) {
        const driver = await this.keeper.driver();
        const result = await driver.runPrompt({
          text: prompt.text,
          ...(prompt.model ? { model: prompt.model } : {}),
          signal: controller.signal,
          onActivity: (activity) => {
            // A value may arrive split across text deltas: those are masked as a stream.
            if (activity.kind === 'text') {
              const delta = streamed.delta(activity.partId, activity.delta);
              if (delta) report({ ...activity, delta });
              return;
            }
            releaseHeldText();
            report(activity);
          },
        });
        outcome = result.outcome;
        error = result.error;
      } else {
        outcome = 'stopped';
      }
    } catch (e) {
      outcome = controller.signal.aborted ? 'stopped' : 'failed';
      error = (e as Error).message;
    }
    releaseHeldText();
    // Whatever the turn changed is committed, also after a stop or a failure: it must not end up
    // in the next prompt's commit under someone else's name.
    try {
      const published = await this.publishWhenReachable({
        workspace: config.workspace,
        remote: config.remote,
        baseBranch: config.baseBranch,
        branch: config.branch,
        author: prompt.author,
        bot: config.bot,
        promptText: prompt.text,
        git: this.git,
        secrets: allSecrets(config),
      });
      commit = published.commit;
      if (published.withheld && !commit)
        this.send({ type: 'error', phase: 'commit', message: describeWithheld(published.withheld) });
      if (!published.ok) {
        outcome = 'failed';
        error = error ? `${error}; ${published.error}` : published.error;
      }
    } catch (e) {
      outcome = 'failed';
      const message = `could not commit the changes: ${(e as Error).message}`;
      error = error ? `${error}; ${message}` : message;
    }
    this.aborts.delete(prompt.messageId);
    const safeError = error === undefined ? undefined : scrub(error, this.secrets);
    this.send({
      type: 'prompt_result',
      messageId: prompt.messageId,
      outcome,
      ...(safeError ? { error: safeError } : {}),
      commit,
    });
    this.deps.log('info', 'prompt finished', {
      messageId: prompt.messageId,
      outcome,
      sha: commit?.sha ?? null,
    });
    this.dispatch({
      type: 'prompt_done',
      messageId: prompt.messageId,
      outcome,
      ...(safeError ? { error: safeError } : {}),
    });
  }

  /**
   * A local repository's origin is the control plane's git endpoint: while the control plane
   * restarts it refuses connections, and the prompt's work must wait for it rather than fail.
   */
  private async publishWhenReachable(options: Parameters<typeof publish>[0]) {
    const bridge = this.deps.bridge;
    // Through the control socket's forwarder, the origin is the control plane whatever its URL says.
    const viaControlPlane =
      bridge !== undefined &&
      (this.config.controlForward !== null || sameHost(this.config.remote.url, this.config.bridge.url));
    for (let attempt = 1; ; attempt++) {
      if (viaControlPlane && !bridge.connected) {
        this.deps.log('info', 'waiting for the control plane to come back before pushing');
        await bridge.whenConnected();
      }
      const published = await publish(options);
      if (published.ok || !viaControlPlane || attempt >= PUSH_ATTEMPTS || !unreachable(published.error))
        return published;
      this.deps.log('warn', 'the control plane is unreachable; pushing again once it is back', { attempt });
      await delay(500 * attempt);
    }
  }

  private send(message: UpBody): void {
    this.deps.send(maskDeep(message, this.mask));
  }
}

function describeWithheld(files: Array<{ path: string; secret: string }>): string {
  const list = files.map((f) => `${f.path} (holds the secret ${f.secret})`).join(', ');
  return `left out of the commit, still in the workspace: ${list}`;
}

function describeSource(source: 'origin-branch' | 'base-branch' | 'local', config: SupervisorConfig): string {
  if (source === 'origin-branch') return 'resumed from the origin';
  if (source === 'base-branch') return `new, from ${config.baseBranch}`;
  return 'local commits not yet pushed';
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return false; // a local path or scp-like address: not served over the network
  }
}

/** git's (curl's) words for "nobody answered", as opposed to a push the origin refused. */
function unreachable(error: string): boolean {
  return /Failed to connect|Couldn't connect|Connection refused|Connection reset|Empty reply from server|Recv failure|Could not resolve host/i.test(
    error,
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
