import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';
import type { InputStream, OutputStream } from '../io.js';

const INTERRUPTED = 130;

/**
 * One line from the user: typed without echo on a terminal, so the token never shows on screen;
 * read plainly when piped, so scripts and tests can pass it in.
 */
export function readToken(stdin: InputStream, echo: OutputStream): Promise<string> {
  return stdin.isTTY && stdin.setRawMode ? readHidden(stdin, echo) : readLine(stdin);
}

async function readLine(stdin: InputStream): Promise<string> {
  const lines = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
  }
}

function readHidden(stdin: InputStream, echo: OutputStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: CliError) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      echo.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || (char === '\u0004' && typed === '')) return finish();
        if (char === '\u0003') return finish(new CliError('cancelled', INTERRUPTED));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    stdin.setRawMode!(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
