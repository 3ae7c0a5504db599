import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
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
import { fileURLToPath } from 'node:url';
import type { CgroupFacts, CommandRun } from './checks.js';

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

export function probeBubblewrapSandbox(): Promise<CommandRun> {
  // The same minimal sandbox the server's local provider checks for.
  return runCommand('bwrap', ['--unshare-user', '--ro-bind', '/', '/', '--', 'true']);
}

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

export function probeCgroups(root = '/sys/fs/cgroup'): CgroupFacts {
  const v2 = existsSync(path.join(root, 'cgroup.controllers'));
  const own = ownCgroupPath(v2 ? '' : 'memory', v2);
  let controllers: string[] = [];
  if (v2) {
    try {
      controllers = readFileSync(path.join(root, own, 'cgroup.controllers'), 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      controllers = [];
    }
  } else {
    controllers = ['memory', 'cpu', 'pids'].filter((c) => existsSync(path.join(root, c)));
  }
  const parent = v2 ? path.join(root, own) : path.join(root, 'memory', own);
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

function ownCgroupPath(controller: string, v2: boolean): string {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, controllers, cgPath] = line.split(':');
      if (cgPath === undefined) continue;
      if (v2 ? controllers === '' : controllers!.split(',').includes(controller))
        return cgPath.replace(/^\//, '');
    }
  } catch {
    // no /proc: assume the root
  }
  return '';
}

export async function probeOpenCode(): Promise<{ path: string | null; run: CommandRun | null }> {
  let binary: string;
  try {
    const require = createRequire(import.meta.url);
    binary = path.join(path.dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe');
  } catch {
    return { path: null, run: null };
  }
  if (!existsSync(binary))
    return { path: binary, run: { ok: false, notFound: true, output: 'binary missing' } };
  return { path: binary, run: await runCommand(binary, ['--version'], 30_000) };
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

/** The Nightshift checkout the server binds read-only into sandboxes (the workspace root). */
export const INSTALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
