import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NightshiftClient } from '@nightshift/client';
import { webRoot } from './build.js';
import { tempDir } from './server.js';

/** The `nightshift` command as `npm install` links it at the repository root. */
const BIN = path.resolve(webRoot, '..', '..', 'node_modules', '.bin', 'nightshift');

/** `nightshift up` as a person starts it: a separate process, configured by its environment. */
export interface NightshiftUp {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process printed so far (its log is on stderr), for failure messages. */
  output(): string;
  /** Its public API; a team-mode test replaces it with one carrying an API token. */
  client: NightshiftClient;
  /** Ctrl-C and `nightshift up` again on the same port and data dir; sandboxes are adopted. */
  restart(): Promise<void>;
  /** Archives every session (which ends its sandbox), then shuts the server down. */
  close(): Promise<void>;
}

/** The caller's environment without its Nightshift settings or provider keys: only `env` counts. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NIGHTSHIFT_') && !key.endsWith('_API_KEY') && !key.endsWith('_BASE_URL'))
      clean[key] = value;
  }
  return { ...clean, NO_COLOR: '1', ...env };
}

class UpProcess {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [BIN, 'up', ...args], {
      env: cleanEnv(env),
      cwd: os.tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code ?? 1)));
  }

  async url(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /Nightshift is up at (http:\/\/\S+)/.exec(this.out);
      if (match) return match[1]!;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`nightshift up did not come up:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<number> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export async function startNightshiftUp(env: Record<string, string>): Promise<NightshiftUp> {
  const dataDir = tempDir('ns-web-up-');
  let proc = new UpProcess(['--port', '0', '--data-dir', dataDir], env);
  const url = await proc.url();
  const port = Number(new URL(url).port);
  let earlier = '';

  const handle: NightshiftUp = {
    url,
    port,
    dataDir,
    output: () => earlier + proc.out,
    client: new NightshiftClient({ baseUrl: url }),
    async restart() {
      await proc.stop();
      earlier += proc.out;
      proc = new UpProcess(['--port', String(port), '--data-dir', dataDir], env);
      await proc.url();
    },
    async close() {
      // Sandboxes outlive a stopped server on purpose (the next one adopts them); these would
      // have nobody to adopt them.
      const { client } = handle;
      const sessions = await client.listSessions('active').catch(() => []);
      await Promise.all(sessions.map((s) => client.archive(s.id).catch(() => undefined)));
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  return handle;
}
