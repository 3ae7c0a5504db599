/**
 * The supervisor holds the sandbox token; the agent runs beside it under the same uid. The kernel
 * marks a process non-dumpable when it execs a binary it may not read (`would_dump`), and a
 * non-dumpable process's /proc/<pid>/environ, mem and ptrace attach are closed to same-uid
 * processes without CAP_SYS_PTRACE — which nothing in a sandbox has. So the supervisor's node
 * runs from an execute-only copy: as root and as an unprivileged user alike, with no second uid.
 */
import { chmodSync, copyFileSync, renameSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

/** Mode 0111: anyone may exec it, nobody (short of CAP_DAC_OVERRIDE) may read it. */
export const EXEC_ONLY_MODE = 0o111;

/**
 * An execute-only copy of `binary` in `dir`, made once and kept while it matches the original's
 * size and modification time (a new node after an upgrade gets a new copy).
 */
export function execOnlyCopy(binary: string, dir: string): string {
  const target = path.join(dir, `${path.basename(binary)}.exec-only`);
  const source = statSync(binary);
  const existing = statOrNull(target);
  if (
    existing &&
    existing.size === source.size &&
    Math.trunc(existing.mtimeMs) === Math.trunc(source.mtimeMs) &&
    (existing.mode & 0o777) === EXEC_ONLY_MODE
  )
    return target;
  const partial = `${target}.${process.pid}.partial`;
  copyFileSync(binary, partial);
  utimesSync(partial, source.atime, source.mtime);
  chmodSync(partial, EXEC_ONLY_MODE);
  renameSync(partial, target);
  return target;
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
