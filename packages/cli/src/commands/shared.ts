import type { Io } from '../io.js';
import { flag, optionalString, type OptionValues } from '../command.js';
import type { NightshiftClient } from '@nightshift/client';
import { connect } from '../client/connect.js';
import { resolveServerUrl } from '../client/server-url.js';
import { chooseToken, type ChosenToken } from '../client/token.js';
import { colorsFor, type Colors } from '../output/color.js';
import { terminalJson } from '../output/terminal-text.js';

export interface ClientContext {
  client: NightshiftClient;
  serverUrl: string;
  /** The API token the client sends; none for a local-mode server. */
  token: ChosenToken | undefined;
  json: boolean;
  colors: Colors;
  out(text: string): void;
  printJson(value: unknown): void;
}

export function clientContext(io: Io, values: OptionValues): ClientContext {
  const serverUrl = resolveServerUrl(optionalString(values, 'server'), io.env);
  const token = chooseToken(optionalString(values, 'token'), io.env, serverUrl);
  return {
    client: connect(serverUrl, token ? { token: token.token } : {}),
    serverUrl,
    token,
    json: flag(values, 'json'),
    colors: colorsFor(io.stdout, io.env),
    out: (text) => io.stdout.write(text),
    printJson: (value) => io.stdout.write(terminalJson(value, 2) + '\n'),
  };
}
