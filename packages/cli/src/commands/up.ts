import type { Command } from '../command.js';
import { flag, optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { colorsFor } from '../output/color.js';
import { logLineWriter } from '../output/server-log.js';

export function parsePortFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new UsageError(`--port: must be a whole number from 0 to 65535, not "${value}"`, 'up');
  }
  return port;
}

export const upCommand: Command = {
  name: 'up',
  summary: 'start the Nightshift server (API, realtime and web UI on one port)',
  description:
    'Environment equivalents: NIGHTSHIFT_HOST, NIGHTSHIFT_PORT, NIGHTSHIFT_DATA_DIR. Models: NIGHTSHIFT_MODEL\n' +
    '(provider/model) with the provider’s key, or NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL. Ctrl-C or SIGTERM shuts\n' +
    'it down gracefully.\n' +
    'Team mode: NIGHTSHIFT_AUTH=oidc or github, with NIGHTSHIFT_PUBLIC_URL and the NIGHTSHIFT_ALLOWED_* lists.\n' +
    'Without auth it listens on loopback only, unless --insecure-no-auth.',
  positionals: [],
  options: {
    host: { type: 'string', valueName: 'HOST', description: 'address to listen on (default 127.0.0.1)' },
    port: {
      type: 'string',
      valueName: 'PORT',
      description: 'port to listen on (default 7070; 0 picks a free one)',
    },
    'data-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'where state lives (default ~/.nightshift; /var/lib/nightshift as root)',
    },
    'insecure-no-auth': {
      type: 'boolean',
      description:
        'listen beyond loopback with NIGHTSHIFT_AUTH=none: anyone who can reach the port can run agents',
    },
  },
  client: false,
  examples: ['nightshift up', 'nightshift up --port 8080 --data-dir /srv/nightshift'],
  run: runUp,
};

async function runUp(io: Io, { values }: { values: Record<string, string | boolean | undefined> }) {
  const port = parsePortFlag(optionalString(values, 'port'));
  const host = optionalString(values, 'host');
  const dataDir = optionalString(values, 'data-dir');
  const insecureNoAuth = flag(values, 'insecure-no-auth');
  // Loaded here so client commands never pay for the server's start-up.
  const { startServer } = await import('@nightshift/server');
  const colors = colorsFor(io.stdout, io.env);
  let server: Awaited<ReturnType<typeof startServer>>;
  const interrupted = io.interrupted();
  try {
    server = await startServer({
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(insecureNoAuth ? { auth: { insecureNoAuth } } : {}),
      // Logs go to stderr (readable on a terminal) so stdout carries only the URL line.
      logDestination: logLineWriter(io.stderr, colorsFor(io.stderr, io.env)),
    });
  } catch (err) {
    io.stderr.write(`nightshift: ${oneLine(err)}\n`);
    return EXIT.failure;
  }
  io.stdout.write(`Nightshift is up at ${colors.bold(server.url)}\n`);
  // Said on every start, so an insecure deployment is never one nobody remembers choosing.
  if (server.config.auth.mode === 'none' && server.config.auth.insecureNoAuth) {
    io.stderr.write(
      colorsFor(io.stderr, io.env).yellow(
        `warning: --insecure-no-auth: nobody signs in, and anyone who can reach ${server.config.host}:${server.port} can run agents`,
      ) + '\n',
    );
  }
  io.stdout.write(
    colors.dim(`data: ${server.config.dataDir} · model: ${server.config.model ?? 'none configured'}`) + '\n',
  );
  const signal = await interrupted;
  io.stderr.write(colorsFor(io.stderr, io.env).dim(`${signal}: shutting down…`) + '\n');
  try {
    await server.close();
  } catch (err) {
    io.stderr.write(`nightshift: shutdown failed: ${oneLine(err)}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim() || 'the server could not start';
}
