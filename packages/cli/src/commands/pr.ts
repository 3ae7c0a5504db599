import { ApiError } from '@nightshift/client';
import type { Command } from '../command.js';
import { flag, optionalString } from '../command.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { sessionWebUrl } from '../client/server-url.js';
import { clientContext } from './shared.js';

/**
 * The one line for a refusal GitHub is behind, with the step that fixes it: the server's message
 * says what went wrong; a terminal cannot follow a link, so the address to open is spelled out.
 */
export function pullRequestRefusal(
  err: ApiError,
  serverUrl: string,
  sessionId: string,
): CliError | undefined {
  const returnTo = encodeURIComponent(new URL(sessionWebUrl(serverUrl, sessionId)).pathname);
  switch (err.code) {
    case 'github_token_expired':
      return new CliError(
        `${err.message} — open ${serverUrl}/api/auth/login?returnTo=${returnTo} in a browser, then run \`nightshift pr ${sessionId}\` again`,
        EXIT.github,
      );
    case 'github_not_installed': {
      const installUrl = (err.details as { installUrl?: unknown } | undefined)?.installUrl;
      // The server's message names the install page already; only add it when it does not.
      const where =
        typeof installUrl === 'string' && !err.message.includes(installUrl) ? ` (${installUrl})` : '';
      return new CliError(`${err.message}${where}`, EXIT.github);
    }
    case 'github_rate_limited':
      return new CliError(err.message, EXIT.github);
    default:
      return undefined;
  }
}

export const prCommand: Command = {
  name: 'pr',
  summary: 'open a pull request from a session’s branch (or show the one already open)',
  description:
    'Without --title and --body, the server writes them from the session: the prompts, the agent’s summary, who asked and a link back. It is opened as you (your GitHub sign-in), or by the GitHub App saying who requested it.',
  positionals: [{ name: 'session', description: 'the session id' }],
  options: {
    title: { type: 'string', valueName: 'TEXT', description: 'the pull request’s title' },
    body: { type: 'string', valueName: 'TEXT', description: 'its description (Markdown)' },
    draft: { type: 'boolean', description: 'open it as a draft' },
  },
  client: true,
  examples: ['nightshift pr s_123', 'nightshift pr s_123 --draft --title "Fix flaky tests"'],
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const id = positionals[0]!;
    const title = optionalString(values, 'title');
    const body = optionalString(values, 'body');
    let pr;
    try {
      pr = await ctx.client.createPullRequest(id, {
        ...(title !== undefined ? { title } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(flag(values, 'draft') ? { draft: true } : {}),
      });
    } catch (err) {
      throw (err instanceof ApiError && pullRequestRefusal(err, ctx.serverUrl, id)) || err;
    }
    if (ctx.json) ctx.printJson(pr);
    else ctx.out(`pull request #${pr.number} (${pr.state}): ${pr.url}\n`);
    return EXIT.ok;
  },
};
