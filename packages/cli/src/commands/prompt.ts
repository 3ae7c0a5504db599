import { randomUUID } from 'node:crypto';
import type { Command } from '../command.js';
import { flag, optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { resolveAuthor } from '../client/author.js';
import { clientContext } from './shared.js';
import { viewTimeline } from './timeline-view.js';

/** Exit code for how a waited-for prompt ended. */
export function exitCodeForOutcome(outcome: string): number {
  switch (outcome) {
    case 'completed':
      return EXIT.ok;
    case 'stopped':
      return EXIT.stopped;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failure;
  }
}

const INTERRUPTED = 130;

export const promptCommand: Command = {
  name: 'prompt',
  summary: 'send a prompt to a session (queued behind any running one)',
  description:
    'The author (whose name goes on the commits) is --author, else git’s user.name and user.email;\n' +
    'on a team-mode server it is always the person the token belongs to.\n' +
    'With --wait, follows the session until this prompt ends and exits with its outcome:\n' +
    `${EXIT.ok} completed, ${EXIT.failure} failed, ${EXIT.stopped} stopped, ${EXIT.cancelled} cancelled.`,
  positionals: [
    { name: 'session', description: 'the session id' },
    { name: 'text', description: 'what to do (quote it)' },
  ],
  options: {
    wait: { type: 'boolean', short: 'w', description: 'follow the session until this prompt ends' },
    author: {
      type: 'string',
      valueName: '"NAME <EMAIL>"',
      description: 'who is asking (default: from git config)',
    },
    model: { type: 'string', valueName: 'PROVIDER/MODEL', description: 'model for this prompt only' },
  },
  client: true,
  examples: [
    'nightshift prompt ses_123 "make the tests pass"',
    'nightshift prompt ses_123 "bump the version" --wait --author "Ada Lovelace <ada@example.com>"',
  ],
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const [sessionId, text] = positionals as [string, string];
    const authorFlag = optionalString(values, 'author');
    // A team-mode server signs a prompt with the token's person and ignores any author it is told.
    if (ctx.token && authorFlag !== undefined) {
      io.stderr.write(
        ctx.colors.dim('--author is ignored: a team-mode server signs prompts with the token’s person') +
          '\n',
      );
    }
    const author = ctx.token ? undefined : await resolveAuthor(authorFlag, io.cwd);
    const model = optionalString(values, 'model');
    const accepted = await ctx.client.prompt(sessionId, {
      text,
      ...(author ? { author } : {}),
      ...(model !== undefined ? { model } : {}),
      // Lets a retried request be recognised as the same prompt.
      clientRequestId: randomUUID(),
    });
    if (!flag(values, 'wait')) {
      if (ctx.json) ctx.printJson(accepted);
      else {
        const where = accepted.position === 0 ? 'running now' : `queued at position ${accepted.position}`;
        ctx.out(`prompt ${accepted.messageId} ${where}\n`);
        ctx.out(ctx.colors.dim(`Follow it with: nightshift tail ${sessionId}`) + '\n');
      }
      return EXIT.ok;
    }

    const abort = new AbortController();
    let interrupted = false;
    void io.interrupted().then(() => {
      interrupted = true;
      abort.abort();
    });
    let outcome: string | null = null;
    let ours = false;
    await viewTimeline({
      io,
      client: ctx.client,
      sessionId,
      after: 0,
      // In --json mode the answer is the final message, not the event stream.
      json: false,
      signal: abort.signal,
      filter: (event) => {
        const data = event.data as { messageId?: string; outcome?: string };
        if (event.type === 'prompt_queued' && data.messageId === accepted.messageId) ours = true;
        if (data.messageId === accepted.messageId) {
          if (event.type === 'prompt_completed') outcome = data.outcome ?? 'failed';
          if (event.type === 'prompt_cancelled') outcome = 'cancelled';
        }
        return { show: ours && !ctx.json, stop: outcome !== null };
      },
    });
    if (interrupted || outcome === null) {
      io.stderr.write(
        `stopped waiting; prompt ${accepted.messageId} carries on (nightshift tail ${sessionId})\n`,
      );
      return INTERRUPTED;
    }
    if (ctx.json) {
      const messages = await ctx.client.messages(sessionId);
      ctx.printJson(
        messages.find((m) => m.id === accepted.messageId) ?? { messageId: accepted.messageId, outcome },
      );
    }
    return exitCodeForOutcome(outcome);
  },
};
