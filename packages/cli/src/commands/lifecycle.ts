import type { Command } from '../command.js';
import { flag } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { statusColor } from '../output/format.js';
import { clientContext } from './shared.js';

const sessionArg = { name: 'session', description: 'the session id' };

export const archiveCommand: Command = {
  name: 'archive',
  summary: 'archive a session (releases its sandbox; restorable with unarchive)',
  positionals: [sessionArg],
  options: {},
  client: true,
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const session = await ctx.client.archive(positionals[0]!);
    if (ctx.json) ctx.printJson(session);
    else ctx.out(`session ${session.id} is ${statusColor(ctx.colors, session.status)}\n`);
    return EXIT.ok;
  },
};

export const unarchiveCommand: Command = {
  name: 'unarchive',
  summary: 'bring an archived session back',
  positionals: [sessionArg],
  options: {},
  client: true,
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const session = await ctx.client.unarchive(positionals[0]!);
    if (ctx.json) ctx.printJson(session);
    else ctx.out(`session ${session.id} is ${statusColor(ctx.colors, session.status)}\n`);
    return EXIT.ok;
  },
};

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop the running prompt (queued prompts then run, unless --clear-queue)',
  positionals: [sessionArg],
  options: { 'clear-queue': { type: 'boolean', description: 'also cancel every queued prompt' } },
  client: true,
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const id = positionals[0]!;
    const clearQueue = flag(values, 'clear-queue');
    await ctx.client.stop(id, { clearQueue });
    if (ctx.json) ctx.printJson({ sessionId: id, stopRequested: true, clearQueue });
    else ctx.out(`stop requested for session ${id}${clearQueue ? ' (queue cleared)' : ''}\n`);
    return EXIT.ok;
  },
};

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a queued prompt',
  positionals: [sessionArg, { name: 'message', description: 'the queued message id' }],
  options: {},
  client: true,
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const message = await ctx.client.cancel(positionals[0]!, positionals[1]!);
    if (ctx.json) ctx.printJson(message);
    else ctx.out(`prompt ${message.id} is ${statusColor(ctx.colors, message.status)}\n`);
    return EXIT.ok;
  },
};
