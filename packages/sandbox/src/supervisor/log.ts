/** Structured log lines on stderr (the provider keeps them in the sandbox's log), secrets removed. */
import { scrub } from '../git/scrub.js';

export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export function createLogger(
  secrets: readonly string[],
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  return (level, message, fields = {}) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
    write(`${scrub(line, secrets)}\n`);
  };
}
