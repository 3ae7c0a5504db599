import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import type { Endpoint } from '../provider.js';
import { localClientSocket } from './socket-table.js';

/**
 * Tells whether a TCP client of the control plane is a process inside one of this host's
 * sandboxes. Sandboxes share the host's network (the agent needs it), so they can reach the
 * control plane on loopback like any local user; the kernel's socket table says who they are.
 *
 * A client is a sandbox when the socket it connected from belongs to a sandbox uid (as root,
 * every session has its own), or — when it belongs to the server's own uid, as sandboxes do
 * without root — when the process holding it descends from one of our sandbox launchers. Being
 * in another pid namespace alone is not enough: Flatpak browsers and Chromium's zygote are too.
 */
export class SandboxPeers {
  private readonly ownUid = typeof process.getuid === 'function' ? process.getuid() : -1;
  private readonly ownPidNamespace = readLink('/proc/self/ns/pid');

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
    if (
      this.sandboxUids &&
      uid >= this.sandboxUids.first &&
      uid < this.sandboxUids.first + this.sandboxUids.count
    )
      return true;
    if (uid !== this.ownUid) return false;
    if (inode === 0) return true; // let go of by its process: who it was cannot be told
    return this.heldBySandboxProcess(inode);
  }

  private heldBySandboxProcess(inode: number): boolean {
    const launchers = this.launcherPids();
    if (!this.ownPidNamespace || launchers.size === 0) return false;
    const target = `socket:[${inode}]`;
    for (const pid of readDir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      // Sandboxed processes live in bubblewrap's pid namespace: skip the host's quickly.
      const namespace = readLink(`/proc/${pid}/ns/pid`);
      if (!namespace || namespace === this.ownPidNamespace) continue;
      if (!readDir(`/proc/${pid}/fd`).some((fd) => readLink(`/proc/${pid}/fd/${fd}`) === target)) continue;
      if (descendsFrom(Number(pid), launchers)) return true;
    }
    return false;
  }
}

/** A process cannot leave its ancestry: whatever a sandbox starts stays under its launcher. */
function descendsFrom(pid: number, ancestors: ReadonlySet<number>): boolean {
  for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
    if (ancestors.has(current)) return true;
    current = parentOf(current);
  }
  return false;
}

function parentOf(pid: number): number {
  try {
    // The command name (in parentheses) may hold spaces; the parent pid is the second field after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
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
