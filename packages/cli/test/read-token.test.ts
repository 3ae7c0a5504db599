import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readToken } from '../src/client/read-token.js';
import type { InputStream } from '../src/io.js';

/** A stream that says it is a terminal, and records the raw mode it is put in. */
function terminal(): PassThrough & InputStream & { modes: boolean[] } {
  const stream = new PassThrough() as PassThrough & InputStream & { modes: boolean[] };
  stream.isTTY = true;
  stream.modes = [];
  stream.setRawMode = (raw: boolean) => stream.modes.push(raw);
  return stream;
}

describe('reading a token', () => {
  it('on a terminal: raw mode, nothing echoed, backspace honoured, the terminal restored', async () => {
    const stdin = terminal();
    let echoed = '';
    const read = readToken(stdin, { write: (text: string) => (echoed += text) });
    stdin.write('nst_sx\u007fecret');
    stdin.write('\r');
    expect(await read).toBe('nst_secret');
    expect(stdin.modes).toEqual([true, false]);
    expect(echoed).toBe('\n');
  });

  it('on a terminal, Ctrl-C gives up with the interrupted exit code', async () => {
    const stdin = terminal();
    const read = readToken(stdin, { write: () => true });
    stdin.write('nst_\u0003');
    await expect(read).rejects.toMatchObject({ message: 'cancelled', exitCode: 130 });
    expect(stdin.modes).toEqual([true, false]);
  });

  it('piped: the first line, or nothing at all', async () => {
    const piped = new PassThrough();
    const read = readToken(piped, { write: () => true });
    piped.end('nst_piped\nmore\n');
    expect(await read).toBe('nst_piped');
    const empty = new PassThrough();
    const none = readToken(empty, { write: () => true });
    empty.end();
    expect(await none).toBe('');
  });
});
