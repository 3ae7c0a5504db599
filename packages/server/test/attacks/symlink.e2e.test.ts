/**
 * Issue 9, item 4: the agent replaces its state `home` with a symlink to a host directory, its
 * sandbox dies, and the next prompt's sandbox start (as root, where the provider hands the
 * session's directories to the sandbox uid) must not follow the link and give that host
 * directory away.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { sandboxProcesses } from '../support/agent-process.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';

const isRoot = process.getuid?.() === 0;

let stack: ShellStack;
beforeAll(async () => {
  if (isRoot) stack = await startShellStack();
});
afterAll(async () => {
  await stack?.close();
});

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

describe('a symlink the sandbox plants in its state', () => {
  it.runIf(!isRoot)(
    'is not a way to a host directory without root: the provider changes no owner then, sandboxes run as the server’s own uid',
    () => {
      expect(process.getuid?.()).not.toBe(0);
    },
  );

  it.runIf(isRoot)(
    'does not hand the host directory it points to to the sandbox uid',
    async () => {
      const hostDir = mkdtempSync(path.join(os.tmpdir(), 'ns-host-owned-'));
      try {
        writeFileSync(path.join(hostDir, 'secret'), 'root only\n', { mode: 0o600 });
        const before = statSync(hostDir);
        const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'symlink\n' }));
        const planted = await stack.agentRuns(
          session.id,
          `mv /state/home /state/home.moved && ln -s ${hostDir} /state/home && readlink /state/home`,
        );
        expect(planted).toContain(hostDir);

        // Its sandbox dies (the agent killed its supervisor; the way it ends does not matter). The
        // supervisor is the interpreter running the sandbox package: the launchers' and bwrap's
        // command lines name that file too.
        const supervisor = sandboxProcesses(stack.server.dataDir, session.id).find((p) =>
          /^\S+ \S*sandbox\/dist\/main\.js/.test(p.cmdline),
        );
        expect(supervisor).toBeDefined();
        process.kill(supervisor!.pid, 'SIGKILL');
        await until(async () => {
          const status = (await stack.api.session(session.id)).sandbox?.status;
          return sandboxProcesses(stack.server.dataDir, session.id).length === 0 && status !== 'ready';
        });

        // The next prompt starts a fresh sandbox for the session, as root, over the planted link.
        const seen = await stack.agentRuns(session.id, 'stat -c "%F %u" /state/home; id -u');
        const after = statSync(hostDir);
        expect([after.uid, after.gid, after.mode]).toEqual([before.uid, before.gid, before.mode]);
        expect(statSync(path.join(hostDir, 'secret')).uid).toBe(before.uid);
        // The agent got a real home of its own instead.
        const [home, uid] = seen.trim().split('\n');
        expect(home).toBe(`directory ${uid}`);
      } finally {
        rmSync(hostDir, { recursive: true, force: true });
      }
    },
    240_000,
  );
});
