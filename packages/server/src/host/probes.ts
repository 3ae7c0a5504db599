/**
 * What this machine offers sandboxes: bubblewrap, cgroups, overlay mounts, workspace quotas, a
 * writable data dir.
 * The server looks before it runs an agent and when it places a sandbox's cgroups; `nightshift
 * doctor` reports every one. Only observations here: what they mean is up to the caller.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  rmdirSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CommandRun {
  /** Exit code 0. */
  ok: boolean;
  /** The executable does not exist. */
  notFound: boolean;
  output: string;
}

/** Runs a command and reports how it went, never throwing. */
export function runCommand(file: string, args: string[], timeoutMs = 10_000): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!error) return resolve({ ok: true, notFound: false, output });
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ ok: false, notFound: code === 'ENOENT', output: output || error.message });
    });
  });
}

/**
 * Whether bubblewrap can make a sandbox here: installed, and user namespaces allowed. The smallest
 * sandbox there is; synchronous, as the server decides on it while it starts.
 */
export function probeBubblewrapSandbox(): CommandRun {
  try {
    const output = execFileSync('bwrap', ['--unshare-user', '--ro-bind', '/', '/', '--', 'true'], {
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 5000,
    });
    return { ok: true, notFound: false, output: output.trim() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    return { ok: false, notFound: e.code === 'ENOENT', output: output || e.message };
  }
}

/** Whether the kernel has overlayfs, and whether an unprivileged user namespace may mount it. */
export async function probeOverlay(): Promise<{ inKernel: boolean; mount: CommandRun | null }> {
  let filesystems = '';
  try {
    filesystems = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    return { inKernel: false, mount: null };
  }
  // A module not yet loaded is still usable: mounting loads it.
  const inKernel = /\boverlay\b/.test(filesystems) || existsSync('/sys/module/overlay');
  if (!inKernel) return { inKernel, mount: null };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-doctor-'));
  try {
    for (const sub of ['lower', 'upper', 'work', 'merged']) mkdirSync(path.join(dir, sub));
    const options = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`;
    // In a fresh user + mount namespace, as an unprivileged sandbox would mount it.
    const mount = await runCommand('unshare', [
      '--user',
      '--map-root-user',
      '--mount',
      'mount',
      '-t',
      'overlay',
      'overlay',
      '-o',
      options,
      `${dir}/merged`,
    ]);
    return { inKernel, mount: mount.notFound ? null : mount };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The controllers a sandbox's limits use. */
export type LimitedController = 'memory' | 'cpu' | 'pids';

export function isCgroupV2(root = CGROUP_ROOT): boolean {
  return existsSync(path.join(root, 'cgroup.controllers'));
}

/**
 * Where new cgroups for a controller go: beneath the one this process is in, which is all a
 * delegated subtree (systemd, a container) lets us write. On v2 one hierarchy holds every controller.
 */
export function cgroupParent(
  controller: LimitedController,
  root = CGROUP_ROOT,
  v2 = isCgroupV2(root),
): string {
  return v2
    ? path.join(root, ownCgroup('', true))
    : path.join(root, controller, ownCgroup(controller, false));
}

export interface CgroupFacts {
  v2: boolean;
  /** Controllers available to us (v2: cgroup.controllers of our cgroup; v1: mounted hierarchies). */
  controllers: string[];
  /** Whether we could create a child cgroup. */
  writable: boolean;
}

export function probeCgroups(root = CGROUP_ROOT): CgroupFacts {
  const v2 = isCgroupV2(root);
  const parent = cgroupParent('memory', root, v2);
  let controllers: string[] = [];
  if (v2) {
    try {
      controllers = readFileSync(path.join(parent, 'cgroup.controllers'), 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      controllers = [];
    }
  } else {
    controllers = ['memory', 'cpu', 'pids'].filter((c) => existsSync(path.join(root, c)));
  }
  return { v2, controllers, writable: canCreateChild(parent) };
}

function canCreateChild(parent: string): boolean {
  const probe = path.join(parent, `nightshift-doctor-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** The cgroup this process is in, for a controller (v1) or the one hierarchy (v2), without the leading `/`. */
function ownCgroup(controller: string, v2: boolean): string {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, cgPath] = line.split(':');
      if (cgPath === undefined) continue;
      if (v2 ? controllers === '' : controllers!.split(',').includes(controller))
        return cgPath.replace(/^\//, '');
    }
  } catch {
    // Not Linux, or no /proc: the root it is.
  }
  return '';
}

export interface QuotaFacts {
  /** Whether each session's workspace can get its own size-capped filesystem. */
  available: boolean;
  /** Why not, when not. */
  reason?: string;
}

/**
 * Whether workspaces can have a disk quota here: a loop-mounted ext4 image per session, which
 * needs root (mount), a loop device and mkfs.ext4 (e2fsprogs).
 */
export function probeWorkspaceQuota(): QuotaFacts {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return { available: false, reason: 'the server is not root (a per-workspace filesystem needs mount)' };
  if (!existsSync('/dev/loop-control'))
    return { available: false, reason: 'there is no /dev/loop-control (no loop devices)' };
  try {
    execFileSync('mkfs.ext4', ['-V'], { stdio: 'pipe', timeout: 5000 });
  } catch {
    return { available: false, reason: 'mkfs.ext4 is not installed (e2fsprogs)' };
  }
  return { available: true };
}

/** Writable if it exists and we can write it, or if its nearest existing ancestor lets us create it. */
export function probeDataDir(dir: string): { path: string; writable: boolean; error?: string } {
  let current = dir;
  while (!existsSync(current)) {
    const up = path.dirname(current);
    if (up === current) break;
    current = up;
  }
  try {
    accessSync(current, constants.W_OK);
    return { path: dir, writable: true };
  } catch (err) {
    return {
      path: dir,
      writable: false,
      error: `${(err as NodeJS.ErrnoException).code ?? 'error'} on ${current}`,
    };
  }
}
