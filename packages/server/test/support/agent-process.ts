/**
 * Recovery tests need what `agent-stack.ts` keeps in-process out of process: a control plane that
 * can be killed and started again on the same data dir and port (`serve-agent.ts`), an API client
 * that rides out the gap, and a view of a session's sandbox processes on this host, to crash or
 * freeze them the way a real failure would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NightshiftClient } from '@nightshift/client';
import type { StartOptions } from '../../src/server.js';
import { unmountWorkspaceQuota } from '../../src/sandboxes/local/workspace-quota.js';
import { sessionApi, type SessionApi } from './session-api.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface AgentServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has ended, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `serve-agent.ts` in its own process and waits until it listens. */
export async function spawnAgentServer(
  dataDir: string,
  port: number,
  modelBaseUrl: string,
  options: StartOptions = {},
): Promise<AgentServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(here, 'serve-agent.ts'),
      dataDir,
      String(port),
      modelBaseUrl,
      JSON.stringify(options),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    // Keep reading for the whole life of the process: a full pipe would block its logging.
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`server exited (${code ?? signal}) before it was ready: ${out.slice(-2000)}`)),
    );
  });
  return { url, child, exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The public API at a fixed address; polling the timeline rides out the server being down. */
export function apiAt(url: string): SessionApi {
  return sessionApi(new NightshiftClient({ baseUrl: url }), { rideOutRestarts: true });
}

export interface HostProcess {
  pid: number;
  ppid: number;
  cmdline: string;
}

function hostProcesses(): HostProcess[] {
  const out: HostProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // Gone in the meantime.
    }
  }
  return out;
}

/**
 * A session's sandbox as host processes: its launcher (the local provider's `sh` whose command
 * line binds the session's workspace under the data dir) and everything below it. Empty when it
 * has none.
 */
export function sandboxProcesses(dataDir: string, sessionId: string): HostProcess[] {
  return processesUnder(path.join(dataDir, 'sandboxes', sessionId, 'workspace'));
}

function processesUnder(marker: string): HostProcess[] {
  const all = hostProcesses();
  const launchers = all.filter(
    (p) =>
      p.cmdline.includes('nightshift-sandbox-') &&
      p.cmdline.includes(marker) &&
      p.cmdline.startsWith('/bin/sh'),
  );
  const found = new Map(launchers.map((p) => [p.pid, p]));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

/**
 * Kills every sandbox started on this data dir (a test's clean-up: they outlive their server),
 * and detaches their workspace filesystems (as root), which their killed server cannot.
 */
export function killSandboxesOf(dataDir: string): void {
  for (const p of processesUnder(path.join(dataDir, 'sandboxes'))) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const sandboxes = path.join(dataDir, 'sandboxes');
  for (const session of existsSync(sandboxes) ? readdirSync(sandboxes) : [])
    unmountWorkspaceQuota(path.join(sandboxes, session, 'workspace'));
}
