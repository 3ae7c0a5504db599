/**
 * Keeps one OpenCode server running for the workspace: starts it, and when it dies on its own,
 * starts it again with backoff. Prompts ask for the current driver.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { backoffDelay } from '../bridge/backoff.js';
import {
  buildOpenCodeConfig,
  discoverOpenAICompatibleModels,
  OpenCodeDriver,
  startOpenCodeServer,
  type GeneratedConfig,
  type ModelSettings,
  type OpenCodeExit,
  type OpenCodeServer,
} from '../opencode/index.js';

export interface KeeperOptions {
  workspace: string;
  /** OpenCode's home and XDG directories go under `<stateDir>/opencode`. */
  stateDir: string;
  models: ModelSettings;
  /** `file://` plugins OpenCode loads; read at each (re)start. */
  plugins?: readonly string[];
  /** The environment OpenCode (and so the agent) inherits. */
  env: Record<string, string | undefined>;
  /** An unexpected exit and the restart that follows, for the timeline. */
  onCrash: (message: string) => void;
  onLog: (message: string) => void;
  /** Default 1 s doubling to 30 s. */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** A server that stayed up this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
}

export class OpenCodeKeeper {
  private server: OpenCodeServer | null = null;
  private driverInstance: OpenCodeDriver | null = null;
  private stopped = false;
  private failures = 0;
  private waiters: Array<() => void> = [];
  private restartTimer: NodeJS.Timeout | null = null;
  /** Restarts so far (diagnostics, tests). */
  restarts = 0;

  constructor(private readonly options: KeeperOptions) {}

  get pid(): number | null {
    return this.server?.pid ?? null;
  }

  /** First start; rejects with OpenCode's output when it cannot start. */
  async start(): Promise<void> {
    const models = await this.withDiscoveredModels();
    await this.launch(models);
  }

  /** The driver of the running server, waiting up to `timeoutMs` while it restarts. */
  async driver(timeoutMs = 60_000): Promise<OpenCodeDriver> {
    const deadline = Date.now() + timeoutMs;
    while (!this.driverInstance) {
      if (this.stopped) throw new Error('OpenCode is stopped');
      if (Date.now() > deadline) throw new Error('OpenCode is not running (restarting after a crash)');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.driverInstance;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const server = this.server;
    this.server = null;
    this.driverInstance = null;
    for (const w of this.waiters.splice(0)) w();
    await server?.stop();
  }

  private models: ModelSettings | null = null;

  private async withDiscoveredModels(): Promise<ModelSettings> {
    const settings = structuredClone(this.options.models);
    const compatible = settings.openaiCompatible;
    // OpenCode refuses models its config does not list; ask the endpoint which it serves.
    if (compatible)
      compatible.models.push(
        ...(await discoverOpenAICompatibleModels(compatible.baseUrl, compatible.apiKey)),
      );
    this.models = settings;
    return settings;
  }

  private async launch(models: ModelSettings): Promise<void> {
    const startedAt = Date.now();
    const server = await startOpenCodeServer({
      cwd: this.options.workspace,
      stateDir: path.join(this.options.stateDir, 'opencode'),
      // Fresh per server: it protects OpenCode from other processes on this host.
      password: randomBytes(24).toString('base64url'),
      config: withPlugins(buildOpenCodeConfig(models), this.options.plugins ?? []),
      env: this.options.env,
      onUnexpectedExit: (exit) => this.onExit(exit, startedAt),
    });
    if (this.stopped) {
      await server.stop();
      return;
    }
    this.server = server;
    this.driverInstance = new OpenCodeDriver({
      url: server.url,
      authorization: server.authorization,
      directory: this.options.workspace,
    });
    for (const w of this.waiters.splice(0)) w();
  }

  private onExit(exit: OpenCodeExit, startedAt: number): void {
    if (this.stopped) return;
    this.server = null;
    this.driverInstance = null;
    if (Date.now() - startedAt > (this.options.stableAfterMs ?? 60_000)) this.failures = 0;
    const delay = backoffDelay(
      this.failures,
      this.options.restartBackoff ?? { initialMs: 1000, maxMs: 30_000 },
    );
    this.failures += 1;
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    this.options.onCrash(
      `OpenCode ${how}; restarting in ${delay} ms. Its last output: ${exit.outputTail.trim().slice(-1000)}`,
    );
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.launch(this.models ?? this.options.models);
      this.restarts += 1;
      this.options.onLog(`OpenCode restarted (pid ${this.server?.pid})`);
    } catch (error) {
      this.onExit({ code: null, signal: null, outputTail: (error as Error).message }, Date.now());
    }
  }
}

function withPlugins(generated: GeneratedConfig, plugins: readonly string[]): GeneratedConfig {
  if (plugins.length === 0) return generated;
  return { ...generated, config: { ...generated.config, plugin: [...plugins] } };
}
