import { closeSync, constants, fchownSync, mkdirSync, openSync, rmSync } from 'node:fs';

/**
 * Makes `dir` a real directory owned by `owner`, as root, when the sandbox may have written where
 * it is (its state holds `home`; an agent can put a symlink to a host directory there and wait for
 * the next start). Nothing here follows a link: the directory is opened with O_NOFOLLOW and
 * changed through that descriptor, and whatever else stands in its place is removed (a symlink is
 * unlinked, never its target) and a fresh directory made. Its parent must not be writable by the
 * sandbox, so only the last component needs the care.
 */
export function ensureOwnedDirectory(dir: string, owner: { uid: number; gid: number }): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') mkdirDirect(dir);
      // ELOOP: a symlink; ENOTDIR: a file, a fifo, a device node. Neither is what we made.
      else if (code === 'ELOOP' || code === 'ENOTDIR') rmSync(dir, { force: true });
      else throw err;
      continue;
    }
    try {
      fchownSync(fd, owner.uid, owner.gid);
    } finally {
      closeSync(fd);
    }
    return;
  }
  throw new Error(`${dir} keeps being replaced while the sandbox's directories are prepared`);
}

/** Creates a directory, not its parents, and tolerates a racing creator (the next open judges it). */
export function mkdirDirect(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
