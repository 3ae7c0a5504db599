import path from 'node:path';

/** What a local sandbox may see: everything else on the host is absent from its view. */
export interface BwrapLayout {
  /** The session's workspace on the host; writable, mounted at /workspace. */
  workspace: string;
  /** The sandbox's private state (home, OpenCode data); writable, mounted at /state. */
  state: string;
  /** Read-only host paths the toolchain needs (the Nightshift install, node's prefix, …). */
  readOnly: string[];
  /** Host paths under a read-only bind that must stay hidden (e.g. the server's data dir). */
  hidden: string[];
  /** Top-level entries of / that are symlinks (merged-/usr systems), as name → target. */
  rootSymlinks: Record<string, string>;
  /** Top-level system directories to bind read-only when they are real directories. */
  systemDirs: string[];
  /**
   * When the server runs as root: bubblewrap runs as root too, so it can bind an install that only
   * root can reach (a checkout in /root), and the command inside drops to this uid/gid with every
   * capability gone before anything of the sandbox runs.
   */
  dropTo?: { uid: number; gid: number };
  /** The size cap of the private /tmp (bubblewrap 0.8's `--size`); none when absent. */
  tmpBytes?: number;
  /**
   * The sandbox's own network namespace (nothing it binds is on the host's addresses) and the
   * door to the control plane: this host directory, holding the control plane's socket, is bound
   * read-only at `SANDBOX_DOOR` (a directory, so the socket a restarted control plane re-creates
   * is seen by a sandbox that outlived it). The descriptors hand the launcher the sandbox's pid
   * and hold the command until its network is up (`network.ts`).
   */
  network?: { doorDir: string; infoFd: number; blockFd: number };
  /** Host files bound read-only at a path inside (e.g. the supervisor's execute-only node), as target → source. */
  files?: Record<string, string>;
  /** An open descriptor of bubblewrap's holding the compiled seccomp filter (`seccomp.ts`). */
  seccompFd?: number;
}

export const SANDBOX_WORKSPACE = '/workspace';
/** /run holds only sockets and small files. */
const RUN_BYTES = 16 * 1024 ** 2;
export const SANDBOX_STATE = '/state';
export const SANDBOX_DOOR = '/run/nightshift';

/**
 * The bubblewrap command line for one sandbox: new user/pid/ipc/uts namespaces, no capabilities,
 * a read-only toolchain, only its own workspace and state writable, a private /tmp, and it dies
 * with its launcher. With `network`, its own network namespace too.
 */
export function bwrapArgs(layout: BwrapLayout, command: string[]): string[] {
  const args = [
    // As root, no user namespace: the uid switch happens inside (setpriv), see `dropTo`.
    ...(layout.dropTo ? [] : ['--unshare-user', '--cap-drop', 'ALL']),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(layout.network
      ? [
          '--unshare-net',
          '--info-fd',
          String(layout.network.infoFd),
          '--block-fd',
          String(layout.network.blockFd),
        ]
      : []),
    '--hostname',
    'nightshift-sandbox',
    '--die-with-parent',
    '--new-session',
  ];
  for (const dir of layout.systemDirs) args.push('--ro-bind', dir, dir);
  for (const [name, target] of Object.entries(layout.rootSymlinks))
    args.push('--symlink', target, `/${name}`);
  // The private /tmp and /run first: an install under /tmp (a fresh clone there) is bound on top.
  // Sticky and world-writable like a real /tmp: made by root (see `dropTo`), it would be root's only.
  // Both are RAM: capped, or the agent could fill the host's memory outside its cgroup's reach.
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--perms',
    '1777',
    ...tmpfsSize(layout.tmpBytes),
    '--tmpfs',
    '/tmp',
  );
  args.push(...tmpfsSize(RUN_BYTES), '--tmpfs', '/run');
  const readOnly = dedupeNested(layout.readOnly);
  // bubblewrap makes the missing parents of a mount point private to root (0700) when it runs as
  // root; the session's uid must be able to walk through them to the toolchain.
  const made = new Set(['/', '/tmp', '/run', '/proc', '/dev', ...layout.systemDirs]);
  for (const dir of readOnly) {
    for (const parent of ancestors(dir)) {
      if (made.has(parent) || layout.systemDirs.some((d) => isWithin(parent, d))) continue;
      made.add(parent);
      args.push('--perms', '0755', '--dir', parent);
    }
  }
  for (const dir of readOnly) args.push('--ro-bind', dir, dir);
  for (const dir of layout.hidden) {
    if (layout.readOnly.some((ro) => isWithin(dir, ro))) args.push('--tmpfs', dir);
  }
  args.push('--bind', layout.workspace, SANDBOX_WORKSPACE, '--bind', layout.state, SANDBOX_STATE);
  if (layout.network) args.push('--ro-bind', layout.network.doorDir, SANDBOX_DOOR);
  for (const [target, source] of Object.entries(layout.files ?? {})) args.push('--ro-bind', source, target);
  if (layout.seccompFd !== undefined) args.push('--seccomp', String(layout.seccompFd));
  args.push('--chdir', SANDBOX_WORKSPACE, '--', ...dropPrivileges(layout.dropTo), ...command);
  return args;
}

function tmpfsSize(bytes: number | undefined): string[] {
  return bytes === undefined ? [] : ['--size', String(bytes)];
}

/**
 * Switching from root to another uid clears the effective and permitted capabilities; the empty
 * bounding and inheritable sets and no-new-privs make sure nothing (a setuid binary) brings any back.
 */
function dropPrivileges(to: BwrapLayout['dropTo']): string[] {
  if (!to) return [];
  return [
    'setpriv',
    `--reuid=${to.uid}`,
    `--regid=${to.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `/a/b/c` → `/a`, `/a/b`. */
function ancestors(dir: string): string[] {
  const parts = path.resolve(dir).split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

/** Drops paths already covered by a parent in the list. */
function dedupeNested(paths: string[]): string[] {
  const sorted = [...new Set(paths.map((p) => path.resolve(p)))].sort((a, b) => a.length - b.length);
  return sorted.filter((p, i) => !sorted.slice(0, i).some((parent) => isWithin(p, parent)));
}
