/**
 * Runs a repository script (setup.sh, start.sh) in the workspace: bash, its own process group so a
 * timeout ends everything it started, output kept (the tail) and scrubbed of secrets.
 */
import { spawn } from 'node:child_process';
import { scrub } from '../git/scrub.js';

export interface ScriptRun {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The end of stdout+stderr, interleaved, secrets removed. */
  output: string;
}

export interface ScriptOptions {
  script: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  secrets: readonly string[];
  /** Bytes of output kept. Default 8 KiB. */
  tailBytes?: number;
}

export function runScript(options: ScriptOptions): Promise<ScriptRun> {
  const started = Date.now();
  const tailBytes = options.tailBytes ?? 8 * 1024;
  return new Promise((resolve) => {
    const child = spawn('bash', [options.script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-tailBytes * 2);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000).unref();
    }, options.timeoutMs);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, extra = '') => {
      clearTimeout(timer);
      // Whatever the script left running in the background belongs to it, not to the sandbox.
      if (!timedOut) killGroup(child.pid, 'SIGKILL');
      const text = scrub(output + extra, options.secrets).slice(-tailBytes);
      resolve({
        ok: exitCode === 0 && !timedOut,
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        output: text,
      });
    };
    child.on('error', (error) => finish(null, null, `\n${error.message}`));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** One line saying how a script ended, for events. */
export function describeRun(script: string, run: ScriptRun, timeoutMs: number): string {
  if (run.timedOut) return `${script} timed out after ${Math.round(timeoutMs / 1000)} s`;
  if (run.signal) return `${script} was killed by ${run.signal}`;
  return run.ok ? `${script} succeeded` : `${script} failed with exit code ${run.exitCode}`;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}
