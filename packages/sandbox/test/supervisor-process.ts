/** Runs the real supervisor entry point (`main.ts`) as a child process, the way a provider does. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const MAIN = path.join(REPO_ROOT, 'packages/sandbox/src/main.ts');

export interface SupervisorProcess {
  pid: number;
  /** Everything it logged (stderr) and printed (stdout). */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: () => void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
}

export function startSupervisor(env: Record<string, string>): SupervisorProcess {
  // Only what a sandbox gets: no NIGHTSHIFT_* or keys from the test runner's environment.
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'LANG', 'TMPDIR']) if (process.env[name]) base[name] = process.env[name]!;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
