import { allOptions, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export function commandUsage(command: Command): string {
  const positionals = command.positionals.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`));
  return ['nightshift', command.name, ...positionals, '[options]'].join(' ');
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${commandUsage(command)}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  if (command.positionals.length > 0) {
    lines.push('', 'Arguments:');
    lines.push(...table(command.positionals.map((p) => [`<${p.name}>`, p.description])));
  }
  lines.push('', 'Options:');
  lines.push(
    ...table(
      Object.entries(allOptions(command)).map(([name, spec]) => [
        `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`,
        spec.description,
      ]),
    ),
  );
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

export function mainHelp(commands: Command[]): string {
  return [
    'Usage: nightshift <command> [options]',
    '',
    'Nightshift runs coding agents in sandboxes on your own machine.',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Run `nightshift <command> --help` for a command’s options.',
    '',
    'Client commands talk to the server at --server URL, else $NIGHTSHIFT_URL, else http://127.0.0.1:7070.',
    'A team-mode server needs a token: --token, else $NIGHTSHIFT_TOKEN, else the one `nightshift login` stored.',
    '',
    'Exit codes:',
    ...table([
      [String(EXIT.ok), 'success'],
      [String(EXIT.failure), 'failure (including a waited-for prompt that failed)'],
      [String(EXIT.usage), 'usage error or input the server rejected'],
      [String(EXIT.unreachable), 'the server cannot be reached'],
      [String(EXIT.notFound), 'no such session or message'],
      [String(EXIT.conflict), 'not possible in the session’s state (e.g. archived)'],
      [String(EXIT.stopped), 'a waited-for prompt was stopped'],
      [String(EXIT.cancelled), 'a waited-for prompt was cancelled'],
      [String(EXIT.unauthenticated), 'not signed in to a team-mode server (run `nightshift login`)'],
      [String(EXIT.github), 'GitHub refused (App not installed, GitHub sign-in expired, rate limit)'],
    ]),
    '',
  ].join('\n');
}

function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map((r) => r[0]!.length));
  return rows.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`);
}
