/**
 * `opencode serve` as a child process: private state directories, a per-sandbox password,
 * health-checked start, clean stop, and a report when it exits on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repositoryEnv } from '@nightshift/protocol';
import type { GeneratedConfig } from './config.js';

/** OpenCode's basic-auth user when only OPENCODE_SERVER_PASSWORD is set. */
export const OPENCODE_USERNAME = 'opencode';

export interface OpenCodeServerOptions {
  /** The workspace OpenCode works in (its project directory). */
  cwd: string;
  /** OpenCode's HOME and XDG directories are created under here, never in the user's real home. */
  stateDir: string;
  /** Required by every request to the server (HTTP basic auth, user `opencode`). Secret. */
  password: string;
  /** From `buildOpenCodeConfig`. */
  config: GeneratedConfig;
  /**
   * Environment the agent (and the commands it runs) inherits, as `repositoryEnv` leaves it (so
   * never the sandbox token); default `process.env`.
   */
  env?: Record<string, string | undefined>;
  /** Port to listen on; default 0 (OpenCode then tries 4096 and falls back to a free port). */
  port?: number;
  /** The opencode executable; default the one from the `opencode-ai` package. */
  binary?: string;
  /** Give up when not healthy within this time. Default 30 s. */
  startTimeoutMs?: number;
  /** Called once if the process exits without `stop()` having been called. */
  onUnexpectedExit?: (exit: OpenCodeExit) => void;
}

export interface OpenCodeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the process's output, for diagnosis. */
  outputTail: string;
}

export interface OpenCodeServer {
  /** e.g. `http://127.0.0.1:4096` */
  url: string;
  pid: number;
  /** `Authorization` header value for requests to the server. Secret. */
  authorization: string;
  /** Resolves when the process has exited (whatever the reason). */
  exited: Promise<OpenCodeExit>;
  /** SIGTERM the process group, SIGKILL after `graceMs` (default 3 s); resolves once it is gone. */
  stop(graceMs?: number): Promise<OpenCodeExit>;
}

const OUTPUT_TAIL_BYTES = 16 * 1024;

export function resolveOpenCodeBinary(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe');
}

/** The environment for `opencode serve`: inherited minus Nightshift's own, plus private dirs and config. */
export function openCodeEnvironment(options: OpenCodeServerOptions): Record<string, string> {
  const env = repositoryEnv(options.env ?? process.env);
  const dir = (name: string) => path.join(options.stateDir, name);
  return {
    ...env,
    ...options.config.env,
    HOME: dir('home'),
    XDG_CONFIG_HOME: dir('config'),
    XDG_DATA_HOME: dir('data'),
    XDG_CACHE_HOME: dir('cache'),
    XDG_STATE_HOME: dir('state'),
    OPENCODE_SERVER_PASSWORD: options.password,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(options.config.config),
    // Only the npm registry is reachable from sandboxes: use the model catalogue bundled in the
    // binary instead of waiting on models.dev, and never try to update or share.
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_SHARE: '1',
  };
}

export async function startOpenCodeServer(options: OpenCodeServerOptions): Promise<OpenCodeServer> {
  for (const name of ['home', 'config', 'data', 'cache', 'state'])
    await fs.mkdir(path.join(options.stateDir, name), { recursive: true });

  const child = spawn(
    options.binary ?? resolveOpenCodeBinary(),
    ['serve', '--hostname=127.0.0.1', `--port=${options.port ?? 0}`, '--print-logs'],
    {
      cwd: options.cwd,
      env: openCodeEnvironment(options),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it also stops the commands its tools started.
      detached: true,
    },
  );
  let output = '';
  const secrets = [options.password, ...Object.values(options.config.env)].filter((s) => s.length >= 4);
  const collect = (chunk: Buffer) => {
    // OpenCode does not print them today; the tail ends up in errors and logs, so make sure.
    output = redact(output + chunk.toString(), secrets).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let stopping = false;
  const exited = new Promise<OpenCodeExit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, outputTail: output }));
    child.on('error', (error) =>
      resolve({ code: null, signal: null, outputTail: `${output}\n${error.message}` }),
    );
  });
  void exited.then((exit) => {
    if (!stopping) options.onUnexpectedExit?.(exit);
  });

  const authorization = `Basic ${Buffer.from(`${OPENCODE_USERNAME}:${options.password}`).toString('base64')}`;
  const stop = async (graceMs = 3000): Promise<OpenCodeExit> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL'); // leftovers of the group (tool commands) if any
    }
    return exited;
  };

  try {
    const url = await waitForListening(child, () => output, exited, options.startTimeoutMs ?? 30_000);
    await waitForHealth(url, authorization, exited, options.startTimeoutMs ?? 30_000);
    return { url, pid: child.pid ?? -1, authorization, exited, stop };
  } catch (error) {
    await stop(500);
    throw error;
  }
}

function redact(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

const describeExit = (exit: OpenCodeExit) =>
  `opencode serve exited before it was ready (code ${exit.code}, signal ${exit.signal}): ${exit.outputTail.trim().slice(-2000)}`;

function waitForListening(
  child: ChildProcess,
  output: () => string,
  exited: Promise<OpenCodeExit>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`opencode serve did not start listening within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = () => {
      const match = /opencode server listening on (https?:\/\/\S+)/.exec(output());
      if (!match?.[1]) return;
      cleanup();
      resolve(match[1]);
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then((exit) => {
      cleanup();
      reject(new Error(describeExit(exit)));
    });
    check();
  });
}

async function waitForHealth(
  url: string,
  authorization: string,
  exited: Promise<OpenCodeExit>,
  timeoutMs: number,
) {
  let exit: OpenCodeExit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(describeExit(exit));
    try {
      const response = await fetch(`${url}/global/health`, {
        headers: { authorization },
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`opencode serve was not healthy within ${timeoutMs} ms`);
}
