import { parseArgs } from 'node:util';
import type { Io } from './io.js';
import { UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help as `--name VALUE`. */
  valueName?: string;
  description: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown under the usage line in `--help`. */
  description?: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** Talks to a running server: gets `--server` and `--json`. */
  client: boolean;
  /** Examples for `--help`. */
  examples?: string[];
  run(io: Io, args: ParsedArgs): Promise<number>;
}

export const HELP_OPTION: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const CLIENT_OPTIONS: Record<string, OptionSpec> = {
  server: {
    type: 'string',
    valueName: 'URL',
    description: 'the Nightshift server (default $NIGHTSHIFT_URL, else http://127.0.0.1:7070)',
  },
  token: {
    type: 'string',
    valueName: 'TOKEN',
    description:
      'API token for a team-mode server (default $NIGHTSHIFT_TOKEN, else the one `nightshift login` stored)',
  },
  json: { type: 'boolean', description: 'print JSON for scripts instead of text' },
};

export function allOptions(command: Command): Record<string, OptionSpec> {
  return { ...command.options, ...(command.client ? CLIENT_OPTIONS : {}), ...HELP_OPTION };
}

/** Parses a command's arguments strictly: unknown options and wrong counts are usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries(allOptions(command)).map(([name, spec]) => [
      name,
      spec.short ? { type: spec.type, short: spec.short } : { type: spec.type },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err as Error), command.name);
  }
  const values = parsed.values as OptionValues;
  if (values.help) return { values, positionals: parsed.positionals };
  const required = command.positionals.filter((p) => !p.optional).length;
  const max = command.positionals.length;
  const got = parsed.positionals;
  if (got.length < required) {
    const missing = command.positionals.slice(got.length, required).map((p) => `<${p.name}>`);
    throw new UsageError(`missing ${missing.join(' ')}`, command.name);
  }
  if (got.length > max) {
    const extra = got.slice(max).join(' ');
    throw new UsageError(`unexpected argument${got.length - max > 1 ? 's' : ''}: ${extra}`, command.name);
  }
  return { values, positionals: got };
}

/** Node's messages are long and mention `args`; keep the part a user needs. */
function describeParseError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option ${unknown[1]}`;
  const needsValue = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
  if (needsValue) return `${needsValue[1]} needs a value`;
  const noValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(err.message);
  if (noValue) return `${noValue[1]} does not take a value`;
  return err.message.split('\n')[0]!.replace(/\. To specify.*$/, '');
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
