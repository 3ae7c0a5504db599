import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT, cgroupParent, isCgroupV2, type LimitedController } from '../../host/probes.js';

export interface ResourceLimits {
  memoryBytes: number;
  /** CPU share as a number of cores (e.g. 1.5). */
  cpus: number;
  pids: number;
  /** The size of the sandbox's RAM-backed /tmp (its /run gets a small fixed one). */
  tmpBytes: number;
  /** The workspace's disk quota, where the host can give one (see workspace-quota.ts). */
  workspaceBytes: number;
}

/** What `prepare` made: the `cgroup.procs` files the launcher joins before it starts bubblewrap. */
export interface PreparedCgroups {
  procsFiles: string[];
  applied: LimitedController[];
  missing: LimitedController[];
}

/**
 * Cgroup limits for a sandbox, on cgroup v2 or v1. The cgroups are made and limited before the
 * sandbox exists; its launcher writes its own pid into them before it execs anything, so every
 * process of the sandbox is born inside (a process moved in later leaves its children behind).
 * Hosts differ a lot (containers, delegated subtrees, read-only /sys/fs/cgroup), so each
 * controller may be unavailable; `prepare` says which, for the log.
 */
export class CgroupLimits {
  constructor(
    private readonly name: string,
    private readonly limits: Pick<ResourceLimits, 'memoryBytes' | 'cpus' | 'pids'>,
    private readonly root = CGROUP_ROOT,
  ) {}

  prepare(): PreparedCgroups {
    const v2 = isCgroupV2(this.root);
    const memory = String(this.limits.memoryBytes);
    const cpuQuota = String(Math.round(this.limits.cpus * 100_000));
    // [controller, [file, value, required]…]: an optional setting (no swap accounting) may fail.
    const settings: Array<[LimitedController, Array<[string, string, boolean]>]> = v2
      ? [
          [
            'memory',
            [
              ['memory.max', memory, true],
              ['memory.swap.max', '0', false],
            ],
          ],
          ['cpu', [['cpu.max', `${cpuQuota} 100000`, true]]],
          ['pids', [['pids.max', String(this.limits.pids), true]]],
        ]
      : [
          [
            'memory',
            [
              ['memory.limit_in_bytes', memory, true],
              ['memory.memsw.limit_in_bytes', memory, false],
            ],
          ],
          [
            'cpu',
            [
              ['cpu.cfs_period_us', '100000', true],
              ['cpu.cfs_quota_us', cpuQuota, true],
            ],
          ],
          ['pids', [['pids.max', String(this.limits.pids), true]]],
        ];
    const prepared: PreparedCgroups = { procsFiles: [], applied: [], missing: [] };
    // v2 offers a child only the controllers its parent enables for children. The kernel refuses
    // that where the parent holds processes of its own (a systemd service, most containers) unless
    // it is the host's root cgroup: worth the try, and what fails shows up as missing below.
    if (v2) {
      try {
        writeFileSync(
          path.join(cgroupParent('memory', this.root, v2), 'cgroup.subtree_control'),
          '+memory +cpu +pids',
        );
      } catch {
        // Not ours to change.
      }
    }
    const procsFiles = new Set<string>();
    for (const [controller, files] of settings) {
      try {
        const dir = this.dirOf(controller, v2);
        if (!existsSync(dir)) mkdirSync(dir);
        for (const [file, value, required] of files) {
          try {
            writeFileSync(path.join(dir, file), value);
          } catch (err) {
            if (required) throw err;
          }
        }
        procsFiles.add(path.join(dir, 'cgroup.procs'));
        prepared.applied.push(controller);
      } catch {
        prepared.missing.push(controller);
      }
    }
    prepared.procsFiles = [...procsFiles];
    return prepared;
  }

  /**
   * Removes the sandbox's cgroups once it has exited, also one adopted from an earlier control
   * plane. A cgroup with processes cannot go, and the sandbox's last ones die a moment after its
   * launcher: tried again for up to 10 s.
   */
  async remove(): Promise<void> {
    const v2 = isCgroupV2(this.root);
    let left = [...new Set((['memory', 'cpu', 'pids'] as const).map((c) => this.dirOf(c, v2)))];
    for (let waited = 0; left.length > 0 && waited <= 10_000; waited += 100) {
      left = left.filter((dir) => {
        try {
          rmdirSync(dir);
          return false;
        } catch (err) {
          return (err as NodeJS.ErrnoException).code === 'EBUSY';
        }
      });
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 100).unref());
    }
  }

  private dirOf(controller: LimitedController, v2: boolean): string {
    return path.join(cgroupParent(controller, this.root, v2), `nightshift-${this.name}`);
  }
}

/**
 * The launcher: a shell that joins the prepared cgroups with its own pid, then runs the sandbox
 * and stays its parent. Not joining is fatal: a sandbox must not run believing it is limited.
 * Arguments: the `cgroup.procs` files, `--`, then the command.
 */
export const LAUNCHER_SCRIPT = [
  'while [ "$1" != -- ]; do',
  '  echo $$ > "$1" || { echo "nightshift: could not join the cgroup $1" >&2; exit 125; }',
  '  shift',
  'done',
  'shift',
  '"$@"; exit $?',
].join('\n');
