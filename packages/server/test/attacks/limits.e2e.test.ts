/**
 * Attacks on a sandbox's resource limits, run by the agent from inside a real bubblewrap sandbox
 * (issue 9, item 2): a fork loop, a memory hog, filling /tmp and filling the workspace. Each must
 * stop at its cap; the figures reached are printed beside the configured limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups, probeWorkspaceQuota } from '../../src/host/probes.js';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';
import { allocatedMiB, filledMiB, fill, forkLoop, memoryHog, started } from '../support/limit-probes.js';

const MiB = 1024 ** 2;
const LIMITS = { pids: 400, memoryBytes: 2048 * MiB, tmpBytes: 64 * MiB, workspaceBytes: 128 * MiB };
const node = process.execPath;
const cgroups = probeCgroups();
const cgroupsUsable = cgroups.writable;
const quota = probeWorkspaceQuota();

let stack: ShellStack;
let sessionId: string;

beforeAll(async () => {
  stack = await startShellStack({ sandbox: LIMITS });
  sessionId = (await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'limits\n' }))).id;
});
afterAll(async () => {
  await stack?.close();
});

const report = (what: string, reached: string, limit: string) =>
  console.log(`[limits] ${what}: reached ${reached} (configured ${limit})`);

describe('a sandbox’s limits hold against its own agent', () => {
  it.skipIf(!cgroupsUsable)(
    'a fork loop stops at the pids cap',
    async () => {
      const output = await stack.agentRuns(sessionId, forkLoop(node, 3 * LIMITS.pids), {
        timeoutMs: 120_000,
      });
      const run = started(output);
      report('fork loop', `${run.started} processes, then ${run.refused}`, `pids.max ${LIMITS.pids}`);
      expect(run.refused, output).toBe('EAGAIN');
      expect(run.started).toBeLessThan(LIMITS.pids);
    },
    180_000,
  );

  it.skipIf(!cgroupsUsable)(
    'a memory hog is killed at the memory cap',
    async () => {
      // Its own session: the kernel may take OpenCode down with the hog, which its neighbours would feel.
      const hog = (await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'hog\n' }))).id;
      const target = 2 * (LIMITS.memoryBytes / MiB) + 512;
      const output = await stack.agentRuns(hog, memoryHog(node, target), { timeoutMs: 120_000 });
      const reached = allocatedMiB(output);
      report(
        'memory hog',
        `${reached} MiB${/exit=137/.test(output) ? ', then killed' : ', not stopped'}`,
        `${LIMITS.memoryBytes / MiB} MiB`,
      );
      expect(output).not.toMatch(/^done$/m);
      expect(output).toMatch(/exit=137|Killed/);
      expect(reached).toBeLessThan(LIMITS.memoryBytes / MiB);
    },
    180_000,
  );

  it('the agent’s commands are the first the kernel kills when memory runs out, not OpenCode', async () => {
    // A memory cgroup's OOM can strike twice within milliseconds: without this, OpenCode was the
    // second victim of an agent's memory hog, and the prompt was lost with it.
    const output = await stack.agentRuns(
      sessionId,
      'echo "command=$(cat /proc/self/oom_score_adj)"; echo "agent=$(cat /proc/$PPID/oom_score_adj) $(cat /proc/$PPID/comm)"',
    );
    expect(output).toMatch(/^command=1000$/m);
    expect(output).toMatch(/^agent=0 opencode/m);
  }, 120_000);

  it('filling /tmp stops at its cap', async () => {
    const output = await stack.agentRuns(sessionId, fill('/tmp/fill', 4 * (LIMITS.tmpBytes / MiB)));
    const reached = filledMiB(output);
    report('/tmp fill', `${reached} MiB`, `${LIMITS.tmpBytes / MiB} MiB`);
    expect(output).toContain('No space left on device');
    expect(reached).toBeLessThanOrEqual(LIMITS.tmpBytes / MiB);
  }, 120_000);

  it.skipIf(!quota.available)(
    'filling the workspace stops at its quota',
    async () => {
      const output = await stack.agentRuns(
        sessionId,
        fill('/workspace/fill', 4 * (LIMITS.workspaceBytes / MiB)),
      );
      const reached = filledMiB(output);
      report('workspace fill', `${reached} MiB`, `${LIMITS.workspaceBytes / MiB} MiB quota`);
      expect(output).toContain('No space left on device');
      expect(reached).toBeLessThanOrEqual(LIMITS.workspaceBytes / MiB);
    },
    120_000,
  );
});

// Said out loud rather than passed in silence: these hosts cannot enforce the part above.
describe('where a limit cannot be enforced', () => {
  it.runIf(!cgroupsUsable)('cgroups are not writable here: no pids or memory cap to test', () => {
    expect(cgroups.writable).toBe(false);
  });
  it.runIf(!quota.available)(`no workspace quota here: ${quota.reason}`, () => {
    expect(quota.available).toBe(false);
  });
});
