import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NightshiftClient } from '@nightshift/client';
import { startServer } from '@nightshift/server';
import { distDir } from './build.js';

type Options = NonNullable<Parameters<typeof startServer>[0]>;

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real local git repository with one commit on `main`. */
export function makeRepo(): string {
  const dir = tempDir('ns-web-repo-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'init');
  return dir;
}

export interface E2EServer {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server and starts a new one on the same port and data dir (a restart). */
  restart(): Promise<void>;
  /** Its public API (the same address across restarts). */
  client: NightshiftClient;
  close(): Promise<void>;
}

/** The real control plane, in-process, on a random port with a fresh data dir. */
export async function startE2EServer(options: Options = {}): Promise<E2EServer> {
  const dataDir = tempDir('ns-web-data-');
  const base: Options = {
    host: '127.0.0.1',
    logLevel: 'silent',
    model: null,
    webRoot: distDir,
    ...options,
    dataDir,
  } as Options;
  let server = await startServer({ ...base, port: 0 });
  const port = server.port;
  const handle: E2EServer = {
    url: server.url,
    port,
    dataDir,
    client: new NightshiftClient({ baseUrl: server.url }),
    async restart() {
      await server.close();
      server = await startServer({ ...base, port });
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
