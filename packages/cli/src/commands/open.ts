import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { sessionWebUrl } from '../client/server-url.js';
import { clientContext } from './shared.js';

/** The first executable called `name` on PATH. */
export function findOnPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const openCommand: Command = {
  name: 'open',
  summary: 'print a session’s web URL (and open it in a browser on a desktop)',
  positionals: [{ name: 'session', description: 'the session id' }],
  options: {},
  client: true,
  async run(io, { values, positionals }) {
    const ctx = clientContext(io, values);
    const session = await ctx.client.getSession(positionals[0]!);
    const url = sessionWebUrl(ctx.serverUrl, session.id);
    if (ctx.json) {
      ctx.printJson({ url });
      return EXIT.ok;
    }
    ctx.out(url + '\n');
    const opener = io.stdout.isTTY ? findOnPath('xdg-open', io.env.PATH) : undefined;
    if (opener) {
      // Best effort: a headless machine simply has no browser to show.
      const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
      child.on('error', () => {});
      child.unref();
    }
    return EXIT.ok;
  },
};
