import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ApiError } from '@nightshift/client';
import type { RunningServer } from '@nightshift/server';
import type { ModelServer } from '@nightshift/testkit';
import { connect } from '../client/connect.js';
import type { PortOccupant } from './plan.js';

/** The model name the server is configured with: OpenCode's openai-compatible provider + the demo id. */
export const DEMO_MODEL = 'openai-compatible/nightshift-demo';

/** Says what answers on host:port: a Nightshift server, something else, or nothing. */
export async function probePort(host: string, port: number): Promise<PortOccupant> {
  try {
    await connect(`http://${urlHost(host)}:${port}`, { timeoutMs: 3000 }).health();
    return 'nightshift';
  } catch (err) {
    const silent = err instanceof ApiError && (err.kind === 'unreachable' || err.kind === 'timeout');
    if (!silent) return 'other';
    // Nothing speaking HTTP there; it may still be bound by something else.
  }
  return (await canListen(host, port)) ? 'free' : 'other';
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export interface DemoStack {
  model: ModelServer;
  server: RunningServer;
  logFile: string;
  close(): Promise<void>;
}

/**
 * The scripted demo model and a Nightshift server configured with it, keeping its state in
 * `dir/data` and its log in `dir/server.log` so the terminal shows only the timeline.
 */
export async function startDemoStack(options: {
  dir: string;
  port: number;
  host?: string;
}): Promise<DemoStack> {
  // Loaded here so the other commands never pay for the server's start-up.
  const [{ startServer }, { startModelServer, demoResponder, DEMO_MODEL_ID }] = await Promise.all([
    import('@nightshift/server'),
    import('@nightshift/testkit'),
  ]);
  const model = await startModelServer({ respond: demoResponder, models: [DEMO_MODEL_ID] });
  const logFile = path.join(options.dir, 'server.log');
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  let server: RunningServer;
  try {
    server = await startServer({
      port: options.port,
      ...(options.host !== undefined ? { host: options.host } : {}),
      dataDir: path.join(options.dir, 'data'),
      model: DEMO_MODEL,
      openaiCompatible: { baseUrl: model.baseUrl, apiKey: null },
      logDestination: log,
      // The data dir is throwaway: no later server will adopt these sandboxes.
      killSandboxesOnClose: true,
      // The demo is one person's, on loopback, whatever team-mode settings this shell carries.
      auth: { mode: 'none' },
    });
  } catch (err) {
    await model.close();
    log.end();
    throw err;
  }
  return {
    model,
    server,
    logFile,
    async close() {
      try {
        await server.close();
      } finally {
        await model.close();
        await new Promise<void>((resolve) => log.end(resolve));
      }
    },
  };
}
