/** Structured log lines on stderr (the provider keeps them in the sandbox's log), secrets removed. */
import { maskDeep, type SecretMasker } from '@nightshift/protocol';
import { scrub } from '../git/scrub.js';

export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export function createLogger(
  secrets: readonly string[],
  write: (line: string) => void = (line) => process.stderr.write(line),
  /** Secret values become their names before a line is written (before JSON escapes them). */
  mask: SecretMasker = (text) => text,
): Logger {
  return (level, message, fields = {}) => {
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      msg: mask(message),
      ...maskDeep(fields, mask),
    });
    write(`${scrub(line, secrets)}\n`);
  };
}
