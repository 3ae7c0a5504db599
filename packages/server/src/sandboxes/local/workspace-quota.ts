import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';

/**
 * A disk quota for a session's workspace, as root: the workspace is its own ext4 filesystem, a
 * sparse image in the session's directory (only what is written takes disk), loop-mounted on
 * the host where the workspace directory is. A full workspace then says "No space left on
 * device" to the agent instead of filling the host's disk. Mounted while the session has a
 * sandbox, unmounted when it ends, so a stopped session holds no loop device.
 */
export const WORKSPACE_IMAGE = 'workspace.ext4';

export type QuotaOutcome = { quota: true } | { quota: false; reason: string };

/** Mounts the session's workspace filesystem (making it the first time), unless already mounted. */
export async function mountWorkspaceQuota(
  sessionDir: string,
  workspace: string,
  bytes: number,
  releaseWaitMs = 10_000,
): Promise<QuotaOutcome> {
  if (isMountPoint(workspace)) return { quota: true };
  const image = path.join(sessionDir, WORKSPACE_IMAGE);
  const fresh = !existsSync(image);
  if (fresh) {
    // A workspace from before quotas existed keeps its files where they are, without one.
    if (readdirSync(workspace).length > 0)
      return { quota: false, reason: 'this workspace was made before workspace quotas' };
    makeImage(image, bytes);
  } else if (!(await loopDevicesReleased(image, releaseWaitMs))) {
    // Unmounted here but still held (a sandbox that outlived its unmount): a second mount of the
    // same ext4 image would corrupt it.
    throw new Error(`the workspace image ${image} is still in use by an earlier sandbox`);
  }
  try {
    execFileSync('mount', ['-t', 'ext4', '-o', 'loop,nosuid,nodev', image, workspace], { stdio: 'pipe' });
  } catch (err) {
    // A fresh image that does not mount is worth nothing; the next start makes it again.
    if (fresh) rmSync(image, { force: true });
    throw err;
  }
  // `git clone` wants an empty directory; e2fsck makes lost+found again if it ever needs one.
  if (fresh) rmdirSync(path.join(workspace, 'lost+found'));
  return { quota: true };
}

function makeImage(image: string, bytes: number): void {
  const fd = openSync(image, 'wx', 0o600);
  try {
    try {
      ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    // No reserved blocks (the agent may use all of its quota); lazy init keeps this to ~35 ms.
    execFileSync(
      'mkfs.ext4',
      ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', image],
      { stdio: 'pipe' },
    );
  } catch (err) {
    rmSync(image, { force: true });
    throw err;
  }
}

/**
 * The kernel lets go of a loop device shortly after its last unmount, not at once: a session
 * started again right after its sandbox ended waits for that (up to 10 s) rather than fail.
 */
async function loopDevicesReleased(image: string, waitMs: number): Promise<boolean> {
  for (let waited = 0; waited < waitMs; waited += 100) {
    if (attachedLoopDevices(image).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return attachedLoopDevices(image).length === 0;
}

function attachedLoopDevices(image: string): string[] {
  try {
    return execFileSync('losetup', ['-j', image], { encoding: 'utf8', stdio: 'pipe' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Detaches the workspace filesystem (lazily: a straggler process may still hold it); its loop device goes with it. */
export function unmountWorkspaceQuota(workspace: string): void {
  if (!isMountPoint(workspace)) return;
  try {
    execFileSync('umount', ['-l', workspace], { stdio: 'pipe' });
  } catch {
    // Already gone.
  }
}

export function isMountPoint(dir: string): boolean {
  const target = path.resolve(dir);
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => unescapeMountPath(line.split(' ')[4] ?? '') === target);
  } catch {
    return false;
  }
}

/** mountinfo writes a space, tab, newline or backslash in a path as an octal escape. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
