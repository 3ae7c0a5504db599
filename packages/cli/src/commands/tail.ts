import type { Command } from '../command.js';
import { optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import { clientContext } from './shared.js';
import { viewTimeline } from './timeline-view.js';

export function parseAfter(value: string | undefined, command: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--after: must be a whole number, not "${value}"`, command);
  }
  return n;
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'follow a session’s timeline live (Ctrl-C to stop)',
  description:
    'Prints the stored timeline, then follows it live: agent text as it streams, tool calls with their status,\n' +
    'sandbox phases, prompts and commits. Survives dropped connections and server restarts, resuming from the\n' +
    'last event seen. With --json, prints one event per line.',
  positionals: [{ name: 'session', description: 'the session id' }],
  options: {
    after: {
      type: 'string',
      valueName: 'N',
      description: 'start after event seq N (default 0: the whole timeline)',
    },
  },
  client: true,
  examples: ['nightshift tail ses_123', 'nightshift tail ses_123 --after 40 --json'],
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const sessionId = positionals[0]!;
    const after = parseAfter(optionalString(values, 'after'), 'tail');
    // Fail fast, with one line, when the server is down or the session unknown.
    await ctx.client.getSession(sessionId);
    const abort = new AbortController();
    void io.interrupted().then(() => abort.abort());
    await viewTimeline({ io, client: ctx.client, sessionId, after, json: ctx.json, signal: abort.signal });
    return EXIT.ok;
  },
};
