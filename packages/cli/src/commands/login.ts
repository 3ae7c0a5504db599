import { ApiError, type NightshiftClient } from '@nightshift/client';
import type { Me } from '@nightshift/protocol';
import type { Command } from '../command.js';
import { optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { CliError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { connect } from '../client/connect.js';
import { credentialsPath, forgetCredential, saveCredential } from '../client/credentials.js';
import { readToken } from '../client/read-token.js';
import { resolveServerUrl } from '../client/server-url.js';
import { checkTokenShape } from '../client/token.js';
import { terminalJson, terminalText } from '../output/terminal-text.js';
import { clientContext } from './shared.js';

/** `Ada Lovelace <ada@example.com>`, safe to print whatever the identity provider called them. */
function personLine(person: { name: string; email: string }): string {
  return terminalText(`${person.name} <${person.email}>`);
}

/** `/api/me` as seen without a token: null when the server wants one (team mode). */
async function meWithoutToken(client: NightshiftClient): Promise<Me | null> {
  try {
    return await client.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

async function askForToken(io: Io, serverUrl: string): Promise<string> {
  if (!io.stdin) throw new UsageError('nothing to read a token from: pass --token', 'login');
  io.stderr.write(`Create an API token at ${serverUrl}/settings/tokens, then paste it here: `);
  return readToken(io.stdin, io.stderr);
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in to a team-mode server with an API token, and remember it for this server',
  description:
    'Without --token, says where to create one and reads it from the terminal (not echoed) or from\n' +
    'stdin when piped. The token is checked with the server before it is kept, in\n' +
    '$XDG_CONFIG_HOME/nightshift/credentials.json (default ~/.config; readable by you alone).\n' +
    'Every client command then sends it to this server; NIGHTSHIFT_TOKEN and --token override it\n' +
    '(on a shared machine prefer this or NIGHTSHIFT_TOKEN: every user can read a command line).',
  positionals: [],
  options: {},
  client: true,
  examples: [
    'nightshift login --server https://nightshift.example.com',
    'echo "$TOKEN" | nightshift login --server https://nightshift.example.com',
  ],
  async run(io, { values }) {
    const serverUrl = resolveServerUrl(optionalString(values, 'server'), io.env);
    const json = values.json === true;
    const given = optionalString(values, 'token');
    if (given === undefined) {
      const me = await meWithoutToken(connect(serverUrl));
      if (me) return localMode(io, serverUrl, json);
    }
    const token = checkTokenShape(given ?? (await askForToken(io, serverUrl)), given ? '--token' : 'token');
    let me: Me;
    try {
      me = await connect(serverUrl, { token }).me();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        throw new CliError(
          `${serverUrl} refused that token (mistyped, revoked or expired): nothing was saved`,
          EXIT.unauthenticated,
        );
      }
      throw err;
    }
    if (me.mode === 'local' || !me.person) return localMode(io, serverUrl, json);
    const { name, email } = me.person;
    saveCredential(io.env, serverUrl, { token, name, email, savedAt: new Date().toISOString() });
    if (json) io.stdout.write(terminalJson({ server: serverUrl, mode: me.mode, person: me.person }) + '\n');
    else {
      io.stdout.write(`Signed in to ${serverUrl} as ${personLine(me.person)}\n`);
      io.stderr.write(`the token is kept in ${credentialsPath(io.env)}\n`);
    }
    return EXIT.ok;
  },
};

function localMode(io: Io, serverUrl: string, json: boolean): number {
  if (json) io.stdout.write(terminalJson({ server: serverUrl, mode: 'local', person: null }) + '\n');
  else io.stdout.write(`${serverUrl} is in local mode: no sign-in is needed, nothing was saved\n`);
  return EXIT.ok;
}

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget the token `nightshift login` kept for a server',
  description: 'The token stays valid on the server until it is revoked there (<server>/settings/tokens).',
  positionals: [],
  options: {},
  client: true,
  examples: ['nightshift logout --server https://nightshift.example.com'],
  async run(io, { values }) {
    const serverUrl = resolveServerUrl(optionalString(values, 'server'), io.env);
    const forgotten = forgetCredential(io.env, serverUrl);
    if (values.json === true) io.stdout.write(terminalJson({ server: serverUrl, forgotten }) + '\n');
    else if (forgotten) {
      io.stdout.write(`Signed out of ${serverUrl}: its token is forgotten here\n`);
      io.stderr.write(`to revoke it for good: ${serverUrl}/settings/tokens\n`);
    } else io.stdout.write(`No token kept for ${serverUrl}: nothing to forget\n`);
    if (io.env.NIGHTSHIFT_TOKEN?.trim()) {
      io.stderr.write('NIGHTSHIFT_TOKEN is still set: commands keep sending it\n');
    }
    return EXIT.ok;
  },
};

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'say who the server knows you as',
  positionals: [],
  options: {},
  client: true,
  async run(io, { values }) {
    const ctx = clientContext(io, values);
    const me = await ctx.client.me();
    if (ctx.json) {
      ctx.printJson({ server: ctx.serverUrl, ...me, tokenFrom: ctx.token?.source ?? null });
    } else if (!me.person) {
      ctx.out(`${ctx.serverUrl} is in local mode: nobody signs in\n`);
    } else {
      ctx.out(`${personLine(me.person)} (${me.person.role}) on ${ctx.serverUrl}\n`);
      if (ctx.token) ctx.out(ctx.colors.dim(`token from ${ctx.token.source}`) + '\n');
    }
    return EXIT.ok;
  },
};
