import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import type { Endpoint } from '../provider.js';

/** The kernel's record of the socket that opened a connection to us, when it is on this host. */
export interface LocalSocket {
  uid: number;
  /** 0 once the process has let go of the socket (closed, or in TIME_WAIT). */
  inode: number;
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/**
 * An endpoint as `/proc/net/tcp{,6}` prints it: the address as the raw 32-bit words of the
 * in-memory address, each in host byte order, then the port. The kernel prints words, not bytes,
 * so on a little-endian host every group of four bytes reads reversed.
 */
export function procEndpoint(endpoint: Endpoint): { table: 'tcp' | 'tcp6'; text: string } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(endpoint.address)?.[1];
  const v4 = mapped ?? (isIPv4(endpoint.address) ? endpoint.address : undefined);
  const bytes = v4 ? v4.split('.').map(Number) : ipv6Bytes(endpoint.address);
  let hex = '';
  for (let word = 0; word < bytes.length; word += 4) {
    const group = bytes.slice(word, word + 4);
    for (const b of LITTLE_ENDIAN ? group.reverse() : group) hex += b.toString(16).padStart(2, '0');
  }
  const port = endpoint.port.toString(16).padStart(4, '0');
  return { table: v4 ? 'tcp' : 'tcp6', text: `${hex}:${port}`.toUpperCase() };
}

function ipv6Bytes(address: string): number[] {
  const [head, tail] = address.replace(/%.*$/, '').split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const words =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w: number) => [w >> 8, w & 0xff]);
}

/**
 * Finds the socket that `client` opened to `server` in a `/proc/net/tcp{,6}` table: its local
 * address is the client end and its remote address the server end.
 */
export function findClientSocket(table: string, client: string, server: string): LocalSocket | undefined {
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    if (fields[1] === client && fields[2] === server) {
      return { uid: Number(fields[7]), inode: Number(fields[9]) };
    }
  }
  return undefined;
}

/**
 * The socket on this host at the other end of an accepted connection, or undefined when the
 * client is not in this network namespace (another machine, a container) or already gone.
 */
export function localClientSocket(remote: Endpoint, local: Endpoint): LocalSocket | undefined {
  const client = procEndpoint(remote);
  const server = procEndpoint(local);
  try {
    return findClientSocket(readFileSync(`/proc/net/${client.table}`, 'utf8'), client.text, server.text);
  } catch {
    return undefined; // not Linux, or /proc not mounted
  }
}
