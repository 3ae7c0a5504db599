/**
 * A local sandbox with its own network starts whatever the order its host-side parties reach
 * the new network namespace in: bubblewrap gives its loopback an address, slirp4netns brings the
 * namespace up, and one that did so first used to kill bubblewrap (a sandbox start failing now
 * and then, as "exited with code 141", the launcher's SIGPIPE). A slow bubblewrap, its netlink
 * requests held back by strace, makes slirp4netns the first every time.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { LocalProvider } from '../src/sandboxes/local/local-provider.js';
import { SandboxDoors } from '../src/http/sandbox-door.js';
import { probeBubblewrapSandbox } from '../src/host/probes.js';
import { INSTALL_DIR } from '../src/host/install-dir.js';
import { tempDir } from './support/harness.js';

const MiB = 1024 ** 2;
const has = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};
function ownNetworkPossible(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
const possible = probeBubblewrapSandbox().ok && has('slirp4netns') && has('strace') && ownNetworkPossible();
if (!possible) console.warn('sandbox network start: needs bubblewrap, slirp4netns, strace and /dev/net/tun');

const dataDir = tempDir('ns-net-start-');
const log = createLogger('silent');
const doors = new SandboxDoors(log);
afterAll(() => doors.closeAll());

/** A `bwrap` first on PATH: the real one, each netlink request it sends held back 300 ms. */
function slowBubblewrapPath(): string {
  const bin = path.join(dataDir, 'slow-bin');
  mkdirSync(bin, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim();
  writeFileSync(
    path.join(bin, 'bwrap'),
    `#!/bin/sh\nexec strace -f -qq -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=300000 ${real} "$@"\n`,
  );
  chmodSync(path.join(bin, 'bwrap'), 0o755);
  return `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
}

/** Run as the sandbox's supervisor: says what its network namespace holds, then ends. */
const REPORT_NETWORK = `
const fs = require('node:fs');
const devices = fs.readFileSync('/proc/net/dev', 'utf8');
const routes = fs.readFileSync('/proc/net/fib_trie', 'utf8');
console.log('tap0=' + /\\btap0:/.test(devices) + ' loopback=' + /127\\.0\\.0\\.1/.test(routes));
`;

describe('a sandbox with its own network', () => {
  it.skipIf(!possible)(
    'starts, with its loopback and its tap device, when bubblewrap is slower than slirp4netns',
    async () => {
      const provider = new LocalProvider({
        dataDir,
        installDir: INSTALL_DIR,
        door: doors,
        command: [process.execPath, '-e', REPORT_NETWORK],
        unisolated: false,
        limits: { pids: 400, memoryBytes: 1024 * MiB, cpus: 1, tmpBytes: 16 * MiB, workspaceBytes: 64 * MiB },
        uidBase: 300_000,
        log,
      });
      const sandbox = await provider.start({
        sandboxId: 'sbx_slow',
        sessionId: 'ses_slow',
        env: { PATH: slowBubblewrapPath() },
      });
      const exit = await sandbox.exited;
      const output = await sandbox.output();
      expect({ exit, output }).toMatchObject({ exit: { code: 0, signal: null } });
      expect(output).toMatch(/^tap0=true loopback=true$/m);
      await provider.discard('ses_slow');
    },
    60_000,
  );
});
