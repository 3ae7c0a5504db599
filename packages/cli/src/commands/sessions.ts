import type { Command } from '../command.js';
import { flag } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { sessionTable } from '../output/format.js';
import { clientContext } from './shared.js';

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list sessions, newest first',
  positionals: [],
  options: { archived: { type: 'boolean', description: 'list archived sessions instead of active ones' } },
  client: true,
  examples: ['nightshift sessions', 'nightshift sessions --archived --json'],
  async run(io, { values }) {
    const ctx = clientContext(io, values);
    const archived = flag(values, 'archived');
    const sessions = await ctx.client.listSessions(archived ? 'archived' : 'active');
    if (ctx.json) ctx.printJson({ sessions });
    else if (sessions.length === 0)
      ctx.out(
        archived ? 'No archived sessions.\n' : 'No sessions yet. Start one with `nightshift new <repo>`.\n',
      );
    else ctx.out(sessionTable(sessions, ctx.colors, Date.now()));
    return EXIT.ok;
  },
};
