import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import type { Endpoint } from '../provider.js';
import { localClientSocket } from './socket-table.js';

/**
 * Tells whether a TCP client of the control plane is a process inside one of this host's
 * sandboxes. An isolated sandbox has its own network and its own door to the control plane, but
 * slirp4netns, its way out, connects to the host's loopback on its behalf (and an unisolated one
 * shares the host's network): the kernel's socket table says who is behind such a connection.
 *
 * A client is a sandbox when the socket it connected from belongs to a sandbox uid (as root,
 * every session has its own), or — when it belongs to the server's own uid, as sandboxes do
 * without root — when the process holding it descends from one of our sandbox launchers. Being
 * in another pid namespace alone is not enough: Flatpak browsers and Chromium's zygote are too.
 */
export class SandboxPeers {
  private readonly ownUid = typeof process.getuid === 'function' ? process.getuid() : -1;

  constructor(
    private readonly sandboxUids: { first: number; count: number } | null,
    private readonly launcherPids: () => ReadonlySet<number>,
  ) {}

  isSandbox(remote: Endpoint, local: Endpoint): boolean {
    const socket = localClientSocket(remote, local);
    // Another machine, or a local client that is already gone: a local one we cannot identify
    // is refused rather than trusted.
    if (!socket) return isLocalAddress(remote.address);
    const { uid, inode } = socket;
    // Let go of by its process (closed, or sent and destroyed at once): who it was cannot be told,
    // whichever uid the kernel now shows for it (root's, for one already torn down).
    if (inode === 0) return true;
    if (
      this.sandboxUids &&
      uid >= this.sandboxUids.first &&
      uid < this.sandboxUids.first + this.sandboxUids.count
    )
      return true;
    if (uid !== this.ownUid) return false;
    return this.heldBySandboxProcess(inode);
  }

  /**
   * Whether a process under one of our launchers holds the socket: one inside bubblewrap, or
   * slirp4netns, which stays on the host's side and connects to the host's loopback for a sandbox
   * with its own network (`network.ts`).
   */
  private heldBySandboxProcess(inode: number): boolean {
    const launchers = this.launcherPids();
    if (launchers.size === 0) return false;
    const target = `socket:[${inode}]`;
    for (const pid of descendantsOf(launchers)) {
      if (readDir(`/proc/${pid}/fd`).some((fd) => readLink(`/proc/${pid}/fd/${fd}`) === target)) return true;
    }
    return false;
  }
}

/**
 * A process cannot leave its ancestry: whatever a sandbox starts stays under its launcher (the
 * sandbox's pid namespace has its own init, which reaps its orphans). Walking down from the
 * launchers touches only sandbox processes, however many the host runs.
 */
function descendantsOf(roots: ReadonlySet<number>): number[] {
  const found: number[] = [];
  const queue = [...roots];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    for (const task of readDir(`/proc/${pid}/task`)) {
      for (const child of readText(`/proc/${pid}/task/${task}/children`).split(' ')) {
        const childPid = Number(child);
        if (!Number.isInteger(childPid) || childPid <= 0 || seen.has(childPid)) continue;
        seen.add(childPid);
        queue.push(childPid);
      }
    }
  }
  return found;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isLocalAddress(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, '');
  if (plain.startsWith('127.') || plain === '::1') return true;
  return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === plain));
}

function readLink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
