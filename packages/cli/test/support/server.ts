import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { NightshiftClient } from '@nightshift/client';
import { startServer, type RunningServer } from '@nightshift/server';
import type { AgentRunner } from '../../../server/src/sessions/agent-runner.js';
import { tempDir } from './cli.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  /** The server's public API, for setting up what the CLI is then shown. */
  client: NightshiftClient;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

/** A real control plane on a free port (or the given one) with its own data dir. */
export async function startTestServer(
  options: { port?: number; dataDir?: string; runner?: AgentRunner; model?: string | null } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir('ns-cli-data-');
  const server = await startServer({
    port: options.port ?? 0,
    dataDir,
    logLevel: 'silent',
    model: options.model ?? null,
    killSandboxesOnClose: true,
    ...(options.runner ? { runner: options.runner } : {}),
  });
  return {
    server,
    url: server.url,
    client: new NightshiftClient({ baseUrl: server.url }),
    port: server.port,
    dataDir,
    close: () => server.close(),
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A real git repository with one commit on `main`, to create sessions on. */
export function makeRepo(): string {
  const dir = tempDir('ns-cli-repo-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'init');
  return dir;
}

export const AUTHOR = 'Ada Lovelace <ada@example.com>';
