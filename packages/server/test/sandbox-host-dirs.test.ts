/**
 * What the local provider does on the host before a sandbox starts, against the real filesystem,
 * shell and (as root) loop mounts: uids that never collide, directories prepared without
 * following a link the sandbox left, a launcher that is in its cgroup before its command runs,
 * and a workspace quota that says "No space left on device".
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxUids, uidCandidates } from '../src/sandboxes/local/sandbox-uids.js';
import { ensureOwnedDirectory } from '../src/sandboxes/local/owned-directory.js';
import { CgroupLimits, LAUNCHER_SCRIPT } from '../src/sandboxes/local/cgroup-limits.js';
import { prepareSessionDirs } from '../src/sandboxes/local/session-dirs.js';
import {
  isMountPoint,
  mountWorkspaceQuota,
  unmountWorkspaceQuota,
} from '../src/sandboxes/local/workspace-quota.js';
import { probeCgroups, probeWorkspaceQuota } from '../src/host/probes.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-host-dirs-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Session ids whose hashes land on the same uid slot: the case a hash alone gets wrong. */
function collidingIds(range: { first: number; count: number }, how: number): string[] {
  const bySlot = new Map<number, string[]>();
  for (let i = 0; ; i++) {
    const id = `session-${i}`;
    const slot = uidCandidates(id, range).next().value!;
    const ids = [...(bySlot.get(slot) ?? []), id];
    if (ids.length === how) return ids;
    bySlot.set(slot, ids);
  }
}

describe('sandbox uids', () => {
  const range = { first: 300_000, count: 50 };

  it('gives sessions whose ids hash alike different uids, and each keeps its own', () => {
    const claims = tempDir();
    const ids = collidingIds(range, 3);
    const uids = new SandboxUids(claims, range);
    const given = ids.map((id) => uids.claim(id).uid);
    expect(new Set(given).size).toBe(3);
    for (const uid of given) expect(uid).toBeGreaterThanOrEqual(range.first);
    // Across a restart of the server (a new allocator on the same claims), and again.
    const again = new SandboxUids(claims, range);
    expect(ids.map((id) => again.claim(id).uid)).toEqual(given);
  });

  it('refuses a session when every uid is held, and a released uid goes to the next session', () => {
    const small = { first: 400_000, count: 2 };
    const uids = new SandboxUids(tempDir(), small);
    const a = uids.claim('a').uid;
    uids.claim('b');
    expect(() => uids.claim('c')).toThrow(/taken/);
    uids.release('a');
    expect(uids.claim('c').uid).toBe(a);
    expect(uids.claim('b').uid).not.toBe(a);
  });
});

describe('a sandbox-writable directory prepared on the host', () => {
  const me = { uid: process.getuid!(), gid: process.getgid!() };

  it('is replaced when the sandbox left a symlink there, and the link’s target is not touched', () => {
    const root = tempDir();
    const hostDir = path.join(root, 'host-secrets');
    mkdirSync(hostDir, { mode: 0o700 });
    writeFileSync(path.join(hostDir, 'keep'), 'kept\n');
    const before = statSync(hostDir);
    const home = path.join(root, 'home');
    symlinkSync(hostDir, home);

    ensureOwnedDirectory(home, isRoot ? { uid: 312_345, gid: 312_345 } : me);

    expect(lstatSync(home).isDirectory()).toBe(true);
    expect(existsSync(path.join(home, 'keep'))).toBe(false);
    const after = statSync(hostDir);
    expect([after.uid, after.gid, after.mode]).toEqual([before.uid, before.gid, before.mode]);
    expect(readFileSync(path.join(hostDir, 'keep'), 'utf8')).toBe('kept\n');
    if (isRoot) expect(statSync(home).uid).toBe(312_345);
  });

  it('is replaced when the sandbox left a file there', () => {
    const home = path.join(tempDir(), 'home');
    writeFileSync(home, 'not a directory');
    ensureOwnedDirectory(home, me);
    expect(lstatSync(home).isDirectory()).toBe(true);
  });
});

describe('the sandbox launcher', () => {
  it('is in its cgroup before its command starts', () => {
    const procs = path.join(tempDir(), 'cgroup.procs');
    writeFileSync(procs, '');
    // The command reports its parent (the launcher) and what the cgroup's file held by then.
    const out = execFileSync(
      '/bin/sh',
      [
        '-c',
        LAUNCHER_SCRIPT,
        'nightshift-sandbox-t',
        procs,
        '--',
        'sh',
        '-c',
        `echo "$PPID $(cat ${procs})"`,
      ],
      { encoding: 'utf8' },
    ).trim();
    const [parent, joined] = out.split(' ');
    expect(joined).toBe(parent);
  });

  it.runIf(probeCgroups().writable)(
    'starts its command inside the limited cgroups, which are gone once it has exited',
    async () => {
      const name = `test-${process.pid}`;
      const cgroups = new CgroupLimits(name, { memoryBytes: 256 * 1024 ** 2, cpus: 1, pids: 64 });
      const prepared = cgroups.prepare();
      expect(prepared.missing).toEqual([]);
      const seen = execFileSync(
        '/bin/sh',
        [
          '-c',
          LAUNCHER_SCRIPT,
          'nightshift-sandbox-t',
          ...prepared.procsFiles,
          '--',
          'cat',
          '/proc/self/cgroup',
        ],
        { encoding: 'utf8' },
      );
      // v1: one line per hierarchy; v2: the one line `0::<path>`.
      const v2 = probeCgroups().v2;
      const lineOf = (controller: string) =>
        seen
          .split('\n')
          .find((l) => (v2 ? l.startsWith('0::') : (l.split(':')[1] ?? '').split(',').includes(controller)));
      for (const controller of ['memory', 'pids']) expect(lineOf(controller)).toContain(`nightshift-${name}`);
      await cgroups.remove();
      for (const procs of prepared.procsFiles) expect(existsSync(path.dirname(procs))).toBe(false);
    },
  );

  it('refuses to start its command when it cannot join its cgroup', () => {
    const missing = path.join(tempDir(), 'gone', 'cgroup.procs');
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync('/bin/sh', ['-c', LAUNCHER_SCRIPT, 'nightshift-sandbox-t', missing, '--', 'echo', 'ran'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(125);
    expect(failure?.stderr).toContain('could not join the cgroup');
  });
});

describe('a workspace quota', () => {
  const quota = probeWorkspaceQuota();

  it.skipIf(quota.available)(`is reported missing with its reason: ${quota.reason}`, () => {
    expect(quota.reason).toMatch(/root|loop|mkfs/);
  });

  it.runIf(quota.available)(
    'stops a write at the quota, keeps the files across mounts, and unmounts',
    async () => {
      const root = tempDir();
      const owner = { uid: 312_346, gid: 312_346 };
      const bytes = 32 * 1024 ** 2;
      const dirs = await prepareSessionDirs(root, 's1', owner, bytes);
      try {
        expect(dirs.quota).toEqual({ quota: true });
        expect(isMountPoint(dirs.workspace)).toBe(true);
        expect(statSync(dirs.workspace).uid).toBe(owner.uid);
        let written = '';
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${dirs.workspace}/fill`, 'bs=1M', 'count=64'], {
            stdio: 'pipe',
          });
        } catch (err) {
          written = String((err as { stderr: Buffer }).stderr);
        }
        expect(written).toContain('No space left on device');
        expect(statSync(`${dirs.workspace}/fill`).size).toBeLessThanOrEqual(bytes);
        writeFileSync(path.join(dirs.workspace, 'kept.txt'), 'kept\n');

        unmountWorkspaceQuota(dirs.workspace);
        expect(isMountPoint(dirs.workspace)).toBe(false);
        expect(existsSync(path.join(dirs.workspace, 'kept.txt'))).toBe(false);
        await prepareSessionDirs(root, 's1', owner, bytes);
        expect(readFileSync(path.join(dirs.workspace, 'kept.txt'), 'utf8')).toBe('kept\n');
      } finally {
        unmountWorkspaceQuota(dirs.workspace);
      }
    },
  );

  it.runIf(quota.available)('is never mounted twice while an earlier sandbox still holds it', async () => {
    const root = tempDir();
    const owner = { uid: 312_347, gid: 312_347 };
    const dirs = await prepareSessionDirs(root, 's1', owner, 32 * 1024 ** 2);
    // A sandbox's own view of the workspace (its bind mount) outlives the host's unmount.
    const held = path.join(root, 'held');
    mkdirSync(held);
    execFileSync('mount', ['--bind', dirs.workspace, held]);
    try {
      unmountWorkspaceQuota(dirs.workspace);
      await expect(mountWorkspaceQuota(dirs.sessionDir, dirs.workspace, 32 * 1024 ** 2, 300)).rejects.toThrow(
        /still in use/,
      );
    } finally {
      execFileSync('umount', [held]);
    }
    await prepareSessionDirs(root, 's1', owner, 32 * 1024 ** 2);
    expect(isMountPoint(dirs.workspace)).toBe(true);
    unmountWorkspaceQuota(dirs.workspace);
  });
});
