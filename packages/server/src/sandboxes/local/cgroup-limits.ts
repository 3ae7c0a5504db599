import { mkdirSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT, cgroupParent, isCgroupV2, type LimitedController } from '../../host/probes.js';

export interface ResourceLimits {
  memoryBytes: number;
  /** CPU share as a number of cores (e.g. 1.5). */
  cpus: number;
  pids: number;
}

/**
 * Best-effort cgroup limits for a sandbox, on cgroup v2 or v1. Hosts differ a lot (containers,
 * delegated subtrees, read-only /sys/fs/cgroup), so every step may fail; `apply` returns what it
 * could not do, for the log and for the sandbox's start event.
 */
export class CgroupLimits {
  private readonly created: string[] = [];

  constructor(
    private readonly name: string,
    private readonly limits: ResourceLimits,
    private readonly root = CGROUP_ROOT,
  ) {}

  /** Creates the cgroups and moves `pid` into them. */
  apply(pid: number): { applied: string[]; missing: string[] } {
    const applied: string[] = [];
    const missing: string[] = [];
    const v2 = isCgroupV2(this.root);
    const attempts: Array<[LimitedController, string, string]> = v2
      ? [
          ['memory', 'memory.max', String(this.limits.memoryBytes)],
          ['cpu', 'cpu.max', `${Math.round(this.limits.cpus * 100_000)} 100000`],
          ['pids', 'pids.max', String(this.limits.pids)],
        ]
      : [
          ['memory', 'memory.limit_in_bytes', String(this.limits.memoryBytes)],
          ['cpu', 'cpu.cfs_quota_us', String(Math.round(this.limits.cpus * 100_000))],
          ['pids', 'pids.max', String(this.limits.pids)],
        ];
    for (const [what, file, value] of attempts) {
      try {
        const dir = path.join(cgroupParent(what, this.root, v2), `nightshift-${this.name}`);
        if (!existsSync(dir)) {
          mkdirSync(dir);
          this.created.push(dir);
        }
        if (what === 'cpu' && !v2) writeFileSync(path.join(dir, 'cpu.cfs_period_us'), '100000');
        writeFileSync(path.join(dir, file), value);
        writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
        applied.push(what);
      } catch {
        missing.push(what);
      }
    }
    return { applied, missing };
  }

  /** Removes the cgroups once the sandbox has exited (a cgroup with processes cannot go). */
  remove(): void {
    for (const dir of this.created.splice(0).reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Still has processes or already gone: nothing more to do.
      }
    }
  }
}
