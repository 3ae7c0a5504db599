import type { OutputStream } from '../io.js';
import type { Colors } from './color.js';
import { terminalSafe, terminalText } from './terminal-text.js';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * A pino destination for `nightshift up`: on a terminal, each JSON log line becomes
 * `HH:MM:SS level message key=value`; elsewhere the JSON passes through for log shippers.
 */
export function logLineWriter(out: OutputStream, colors: Colors): { write(line: string): void } {
  if (!out.isTTY) return { write: (line) => void out.write(line) };
  return {
    write(line) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        out.write(terminalText(line));
        return;
      }
      out.write(formatLogEntry(entry, colors) + '\n');
    },
  };
}

/** A log line can quote what a sandbox or a repository said: it is printed inert. */
export function formatLogEntry(unsafe: Record<string, unknown>, colors: Colors): string {
  const entry = terminalSafe(unsafe);
  const level = LEVELS[entry.level as number] ?? String(entry.level ?? '');
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const paint =
    level === 'error' || level === 'fatal' ? colors.red : level === 'warn' ? colors.yellow : colors.dim;
  const extras = Object.entries(entry)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object')
        return `err=${JSON.stringify((value as { message?: string }).message ?? value)}`;
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    });
  return [colors.dim(time), paint(level.padEnd(5)), String(entry.msg ?? ''), colors.dim(extras.join(' '))]
    .filter(Boolean)
    .join(' ');
}
