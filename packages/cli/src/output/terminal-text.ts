/**
 * What the CLI prints of what came from the server — titles, prompt text, agent text, tool
 * output, author names, error messages — is text a repository or a model may have written. A
 * terminal obeys escape sequences wherever they come from: OSC 52 writes the clipboard, OSC 8
 * makes links, CSI clears the screen or moves the cursor over earlier lines. So server text is
 * reduced to printable characters, newlines and tabs before it is formatted; the CLI's own
 * colours are added afterwards, by `color.ts`, and are the only escapes it prints.
 */

/* eslint-disable no-control-regex */
const ESCAPE_SEQUENCE = new RegExp(
  [
    // OSC, DCS, SOS, PM and APC carry a string up to BEL or ST (7-bit or 8-bit), or to the end.
    '(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)',
    // CSI: parameters, intermediates, final byte.
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?',
    // Every other escape: intermediates and a final byte (ESC c resets the terminal, ESC 7 / 8 …).
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?',
  ].join('|'),
  'g',
);
/** C0 controls but tab and newline (a carriage return rewrites the line it is on), DEL, C1. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

/** Server text made safe to print: escape sequences and control characters but \n and \t removed. */
export function terminalText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/**
 * JSON of a value from the server, for `--json`: the same value to a parser, inert on a terminal.
 * JSON.stringify escapes C0 controls but leaves DEL and C1 raw, and a terminal reading UTF-8 may
 * take U+009B for CSI; those are written as \u escapes too.
 */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\x7f-\x9f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The same for every string inside a value from the server (an event's data, a session). */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafe(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, terminalSafe(item)]),
    ) as T;
  }
  return value;
}
