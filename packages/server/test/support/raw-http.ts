/**
 * Requests as an attacker sends them: raw bytes over TCP, nothing a client library would fix up,
 * and a gzip bomb for the git endpoint.
 */
import { connect } from 'node:net';
import { createGzip } from 'node:zlib';

/** Sends bytes on a fresh connection, half-closes it, and returns all that came back before it closed. */
export function rawExchange(port: number, request: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      // A server that resets a connection it refused has still answered (or chosen not to).
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(request);
  });
}

/** The status of the first response in raw bytes, or undefined when nothing came back. */
export function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match ? Number(match[1]) : undefined;
}

/** Gzip of `expandedBytes` zero bytes, compressed as a stream: about 1 MB per GiB. */
export async function gzipBomb(expandedBytes: number, prefix: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const block = Buffer.alloc(16 * 1024 * 1024);
  gzip.write(prefix);
  for (let written = 0; written < expandedBytes; written += block.length) {
    if (!gzip.write(block.subarray(0, Math.min(block.length, expandedBytes - written))))
      await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

/** The pkt-line command list of a push updating `ref`, as git sends it before the pack. */
export function pushCommands(ref: string, newSha = '1'.repeat(40), oldSha = '0'.repeat(40)): Buffer {
  const line = `${oldSha} ${newSha} ${ref}\0report-status\n`;
  return Buffer.from(`${(line.length + 4).toString(16).padStart(4, '0')}${line}0000`);
}
