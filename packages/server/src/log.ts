import pino from 'pino';

export type Logger = pino.Logger;

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = [
  'token',
  'password',
  'apiKey',
  'authorization',
  'secret',
  '*.token',
  '*.password',
  '*.apiKey',
  '*.authorization',
  '*.secret',
  'headers.authorization',
  'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined }, destination);
}

/** Removes credentials from a URL so it can be shown or logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password && !u.username) return url;
    if (u.password) u.password = '***';
    else u.username = '***';
    return u.toString();
  } catch {
    return url;
  }
}
