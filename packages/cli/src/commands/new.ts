import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { sessionWebUrl } from '../client/server-url.js';
import { sessionDetails } from '../output/format.js';
import { clientContext } from './shared.js';

/** A relative local path means the repository on this machine; the server needs it absolute. */
export function normaliseRepo(repo: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^:\s]+:/.test(repo)) return repo;
  const absolute = path.resolve(cwd, repo);
  return path.isAbsolute(repo) || existsSync(absolute) ? absolute : repo;
}

export const newCommand: Command = {
  name: 'new',
  summary: 'create a session on a repository',
  description:
    '<repo> is a git URL (https://, http://, file://, ssh://, git@host:path), a path to a local git repository, or owner/name for a repository the server’s GitHub App is installed on.',
  positionals: [{ name: 'repo', description: 'the repository to work on' }],
  options: {
    base: {
      type: 'string',
      valueName: 'BRANCH',
      description: 'base branch (default: the repository’s default branch)',
    },
    title: { type: 'string', valueName: 'TEXT', description: 'a title for the session' },
    model: {
      type: 'string',
      valueName: 'PROVIDER/MODEL',
      description: 'model for this session, e.g. anthropic/claude-sonnet-4-5',
    },
  },
  client: true,
  examples: [
    'nightshift new .',
    'nightshift new https://github.com/acme/app.git --base develop --title "Fix flaky tests"',
    'nightshift new acme/app',
  ],
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const base = optionalString(values, 'base');
    const title = optionalString(values, 'title');
    const model = optionalString(values, 'model');
    const session = await ctx.client.createSession({
      repo: normaliseRepo(positionals[0]!, io.cwd),
      ...(base !== undefined ? { baseBranch: base } : {}),
      ...(title !== undefined ? { title } : {}),
      ...(model !== undefined ? { model } : {}),
    });
    if (ctx.json) ctx.printJson(session);
    else {
      ctx.out(sessionDetails(session, sessionWebUrl(ctx.serverUrl, session.id), ctx.colors));
      ctx.out(ctx.colors.dim(`Next: nightshift prompt ${session.id} "what to do"`) + '\n');
    }
    return EXIT.ok;
  },
};
