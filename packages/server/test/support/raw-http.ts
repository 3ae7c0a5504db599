/**
 * Requests as an attacker sends them: raw bytes over TCP, nothing a client library would fix up,
 * and a gzip bomb for the git endpoint.
 */
import { connect } from 'node:net';
import { createGzip } from 'node:zlib';

/**
 * Sends bytes on a fresh connection and returns all that came back before the server closed it
 * (or, for a connection the server keeps open, before `giveUpMs`). The connection is not
 * half-closed: Node drops a request whose client has, before its answer is written.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  { host = '127.0.0.1', giveUpMs = 20_000 } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    const chunks: Buffer[] = [];
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('close', () => clearTimeout(giveUp));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      // A server that resets a connection it refused has still answered (or chosen not to).
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(request);
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

/**
 * A bash command an agent runs to send each request raw over /dev/tcp, all at once, and print,
 * under `== name` and in order, the first line that came back (or that there is no route to the
 * server at all). It aims where the sandbox's own git remote points, the way its git reaches
 * the control plane (the server's port, or the sandbox's door through its forwarder). A server
 * still waiting for more of a request gets `waitSeconds`.
 */
export function bashRawRequests(requests: Array<{ name: string; bytes: Buffer }>, waitSeconds = 20): string {
  const prelude = [
    'out=$(mktemp -d)',
    'origin=$(git remote get-url origin 2>/dev/null); hp=${origin#*://}; hp=${hp%%/*}; hp=${hp##*@}',
    'host=${hp%:*}; port=${hp##*:}; echo "== target"; echo "$host:$port"',
  ];
  const sends = requests.map(
    ({ bytes }, i) =>
      `( if exec 3<>"/dev/tcp/$host/$port"; then printf '${printfBytes(bytes)}' >&3; ` +
      `timeout ${waitSeconds} cat <&3 | head -n 1; else echo "${NO_ROUTE}"; fi ) > "$out/${i}" 2>&1 &`,
  );
  const prints = requests.map(({ name }, i) => `echo "== ${name}"; cat "$out/${i}"; echo`);
  return [...prelude, ...sends, 'wait', ...prints, 'rm -rf "$out"'].join('\n');
}

export const NO_ROUTE = 'no route to the control plane';

/** Bytes as a printf format that prints exactly them: anything but plain characters as octal. */
function printfBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9 /._:=-]/.test(char) ? char : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** The output of `bashRawRequests`, by request name. */
export function sectionsOf(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split(/^== /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1)]),
  );
}
