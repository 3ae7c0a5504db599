import { ApiError } from '@nightshift/client';
import { COMMANDS } from './commands/index.js';
import { optionalString, parseCommandArgs, type Command } from './command.js';
import { chooseToken } from './client/token.js';
import { resolveServerUrl } from './client/server-url.js';
import { CliError, UsageError, cliErrorOf, notSignedIn, type Target } from './errors.js';
import { EXIT } from './exit-codes.js';
import { processIo, type Io } from './io.js';
import { commandHelp, mainHelp } from './output/help.js';
import { terminalText } from './output/terminal-text.js';

/** Runs one command line and returns the exit code; never throws. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(topic) : mainHelp(COMMANDS));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`nightshift ${await version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`nightshift: unknown command "${name}" (run \`nightshift --help\` for the list)\n`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(io, args);
  } catch (err) {
    return report(err, io, command.client ? () => targetOf(rest, command, io) : undefined);
  }
}

/** The server a client command talked to and the token it sent, as its arguments chose them. */
function targetOf(argv: string[], command: Command, io: Io): Target {
  const { values } = parseCommandArgs(command, argv);
  const serverUrl = resolveServerUrl(optionalString(values, 'server'), io.env);
  return { serverUrl, tokenSource: chooseToken(optionalString(values, 'token'), io.env, serverUrl)?.source };
}

function report(failure: unknown, io: Io, target?: () => Target): number {
  const err =
    failure instanceof ApiError
      ? failure.status === 401 && target
        ? notSignedIn(target())
        : cliErrorOf(failure)
      : failure;
  if (err instanceof UsageError) {
    const hint = err.command ? ` (see \`nightshift ${err.command} --help\`)` : '';
    io.stderr.write(`nightshift: ${terminalText(err.message)}${hint}\n`);
    return err.exitCode;
  }
  if (err instanceof CliError) {
    io.stderr.write(`nightshift: ${terminalText(err.message)}\n`);
    return err.exitCode;
  }
  // A bug of ours: still one line, with the stack only on request.
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`nightshift: ${terminalText(message.split('\n')[0]!)}\n`);
  if (io.env.NIGHTSHIFT_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return EXIT.failure;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
