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
}

export const SANDBOX_WORKSPACE = '/workspace';
export const SANDBOX_STATE = '/state';

/**
 * The bubblewrap command line for one sandbox: new user/pid/ipc/uts namespaces, no capabilities,
 * a read-only toolchain, only its own workspace and state writable, a private /tmp, and it dies
 * with its launcher. The network is shared: the agent needs its model API and the bridge.
 */
export function bwrapArgs(layout: BwrapLayout, command: string[]): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'nightshift-sandbox',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
  ];
  for (const dir of layout.systemDirs) args.push('--ro-bind', dir, dir);
  for (const [name, target] of Object.entries(layout.rootSymlinks))
    args.push('--symlink', target, `/${name}`);
  // The private /tmp and /run first: an install under /tmp (a fresh clone there) is bound on top.
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run');
  for (const dir of dedupeNested(layout.readOnly)) args.push('--ro-bind', dir, dir);
  for (const dir of layout.hidden) {
    if (layout.readOnly.some((ro) => isWithin(dir, ro))) args.push('--tmpfs', dir);
  }
  args.push('--bind', layout.workspace, SANDBOX_WORKSPACE, '--bind', layout.state, SANDBOX_STATE);
  args.push('--chdir', SANDBOX_WORKSPACE, '--', ...command);
  return args;
}

export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Drops paths already covered by a parent in the list. */
function dedupeNested(paths: string[]): string[] {
  const sorted = [...new Set(paths.map((p) => path.resolve(p)))].sort((a, b) => a.length - b.length);
  return sorted.filter((p, i) => !sorted.slice(0, i).some((parent) => isWithin(p, parent)));
}
