/**
 * Resource limits, measured from inside a real sandbox: the agent (scripted model, real OpenCode,
 * real bubblewrap) runs a fork loop, a memory hog and fills /tmp and its workspace; each figure
 * reached is printed beside the configured limit. The attack suite asserts the same commands stop
 * (packages/server/test/attacks/limits.e2e.test.ts); this prints the numbers.
 *
 *   npm run bench:limits        (or: node --import tsx bench/limits.ts)
 */
import { makeRepoWithFiles } from '../packages/server/test/support/agent-stack.js';
import { startShellStack } from '../packages/server/test/support/agent-shell.js';
import {
  allocatedMiB,
  filledMiB,
  fill,
  forkLoop,
  memoryHog,
  started,
} from '../packages/server/test/support/limit-probes.js';
import { probeCgroups, probeWorkspaceQuota } from '../packages/server/src/host/probes.js';
import { ensureBuilt } from '../scripts/build.mjs';
import { machineLine } from './support/machine.js';

const MiB = 1024 ** 2;
const LIMITS = { pids: 400, memoryBytes: 2048 * MiB, tmpBytes: 64 * MiB, workspaceBytes: 128 * MiB };

await ensureBuilt(); // the sandboxes run the compiled supervisor
const stack = await startShellStack({ sandbox: LIMITS });
const rows: Array<[string, string, string, string]> = [];
const newSession = async (name: string) =>
  (await stack.api.createSession(makeRepoWithFiles({ 'README.md': `${name}\n` }))).id;
try {
  const cgroups = probeCgroups();
  const quota = probeWorkspaceQuota();
  const session = await newSession('limits');
  if (cgroups.writable) {
    const forks = started(await stack.agentRuns(session, forkLoop(process.execPath, 3 * LIMITS.pids)));
    rows.push([
      'processes',
      `pids.max ${LIMITS.pids}`,
      `${forks.started} started`,
      forks.refused === 'EAGAIN' ? 'stopped (EAGAIN)' : `NOT stopped (${forks.refused})`,
    ]);
    const hog = await stack.agentRuns(
      await newSession('hog'),
      memoryHog(process.execPath, 2 * (LIMITS.memoryBytes / MiB) + 512),
    );
    rows.push([
      'memory',
      `${LIMITS.memoryBytes / MiB} MiB`,
      `${allocatedMiB(hog)} MiB allocated`,
      /exit=137/.test(hog) ? 'stopped (OOM-killed)' : 'NOT stopped',
    ]);
  } else {
    rows.push(['processes, memory', 'cgroups', '-', 'not enforced here: cgroups are not writable']);
  }
  const tmp = await stack.agentRuns(session, fill('/tmp/fill', 4 * (LIMITS.tmpBytes / MiB)));
  rows.push([
    '/tmp',
    `${LIMITS.tmpBytes / MiB} MiB`,
    `${filledMiB(tmp).toFixed(1)} MiB written`,
    verdict(tmp),
  ]);
  if (quota.available) {
    const ws = await stack.agentRuns(session, fill('/workspace/fill', 4 * (LIMITS.workspaceBytes / MiB)));
    rows.push([
      'workspace',
      `${LIMITS.workspaceBytes / MiB} MiB quota`,
      `${filledMiB(ws).toFixed(1)} MiB written`,
      verdict(ws),
    ]);
  } else {
    rows.push(['workspace', 'quota', '-', `NO quota here: ${quota.reason}`]);
  }
} finally {
  await stack.close();
}

console.log(machineLine());
console.log(`server uid ${process.getuid?.()}`);
const header: [string, string, string, string] = ['limit', 'configured', 'reached', 'outcome'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));

function verdict(output: string): string {
  return output.includes('No space left on device') ? 'stopped (ENOSPC)' : 'NOT stopped';
}
