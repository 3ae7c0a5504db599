import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.resolve(here, '..', '..', 'bin', 'nightshift.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An environment without the caller's Nightshift settings, so tests see only what they set. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NIGHTSHIFT_') && key !== 'FORCE_COLOR' && !key.endsWith('_API_KEY'))
      env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs the real `nightshift` bin as a subprocess and collects what it printed. */
export function runCli(
  args: string[],
  /** `input` is piped to its stdin, which is then closed. */
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: cleanEnv(options.env), cwd: options.cwd ?? os.tmpdir(), timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A long-running CLI process (`up`, `tail`) whose output can be awaited as it arrives. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv(options.env),
      cwd: options.cwd ?? os.tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      this.notify();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.notify();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.notify();
        resolve(code ?? (signal ? 128 : 1));
      }),
    );
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until stdout (or stderr) matches, failing with what was printed so far on timeout. */
  async waitFor(
    pattern: RegExp,
    stream: 'stdout' | 'stderr' = 'stdout',
    timeoutMs = 20_000,
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this[stream].match(pattern);
      if (match) return match;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(
          `timed out waiting for ${pattern} on ${stream}\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }

  exit(): Promise<number> {
    return this.exited;
  }
}

export function tempDir(prefix = 'ns-cli-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
