import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  closeSync,
  writeFileSync,
} from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { encodeSandboxEnv, encodeSandboxSecrets, sandboxSecretNames } from '@nightshift/protocol';
import type { Logger } from '../../log.js';
import type {
  Endpoint,
  ProviderCapabilities,
  SandboxHandle,
  SandboxProvider,
  SandboxSpec,
} from '../provider.js';
import { SandboxPeers } from './sandbox-peers.js';
import { bwrapArgs, SANDBOX_STATE, SANDBOX_WORKSPACE } from './bwrap-args.js';
import { CgroupLimits, LAUNCHER_SCRIPT, type ResourceLimits } from './cgroup-limits.js';
import { SandboxUids } from './sandbox-uids.js';
import { prepareSessionDirs } from './session-dirs.js';
import { unmountWorkspaceQuota } from './workspace-quota.js';
import { probeWorkspaceQuota } from '../../host/probes.js';
import { encodeBpf, sandboxSeccompFilter, seccompArchOf } from './seccomp.js';
import { execOnlyCopy } from './exec-only.js';
import { DOOR_SOCKET, NETWORK_FDS, networkedLauncher } from './network.js';
import { RELAY_SETTINGS_VARIABLE } from '../../models/relay-settings.js';

export interface LocalProviderOptions {
  dataDir: string;
  /** The Nightshift install (repository root): mounted read-only so the supervisor can run. */
  installDir: string;
  /**
   * Opens the control plane's socket for one session's sandbox (`http/sandbox-door.ts`); closed
   * when the sandbox ends. Without it, isolated sandboxes share the host's network.
   */
  door?: { open(sessionId: string, socketPath: string): Promise<{ close(): void }> };
  /** The supervisor command, as run inside the sandbox. */
  command: string[];
  /** Run without bubblewrap. Only when the operator asked for it: there is no isolation then. */
  unisolated: boolean;
  limits: ResourceLimits;
  /** First host uid for sandboxes (each session gets its own); only used when running as root. */
  uidBase: number;
  log: Logger;
}

/** How many host uids sandboxes use, from `uidBase` on. */
const UID_COUNT = 60_000;

/** Where the supervisor's execute-only interpreter appears inside a sandbox (`exec-only.ts`). */
const SUPERVISOR_BINARY = '/run/nightshift-supervisor';
/**
 * setpriv still holds capabilities (to empty the bounding set after the uid switch) when it
 * execs, so the kernel would find the execute-only binary readable and leave the supervisor
 * dumpable: a shell between them execs it with none left.
 */
const EXEC_AFTER_DROP = ['/bin/sh', '-c', 'exec "$@"', 'nightshift-supervisor'];
/** The descriptor bubblewrap reads its seccomp filter from: the launcher's fourth stdio entry. */
const SECCOMP_FD = 3;

const SYSTEM_DIRS = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'];

/**
 * One bubblewrap sandbox per session, on this machine. The launcher (a shell that stays the
 * parent of bwrap) runs in its own process group, so sandboxes outlive a control-plane restart
 * and are adopted again; killing the launcher's group ends the sandbox (`--die-with-parent`).
 */
export class LocalProvider implements SandboxProvider {
  readonly name = 'local';
  readonly capabilities: ProviderCapabilities;
  private readonly root: string;
  private readonly peers: SandboxPeers;
  /** Launcher pids of the sandboxes alive now (started or adopted by this process). */
  private readonly launchers = new Set<number>();
  /**
   * Live sandboxes per workspace: its filesystem is unmounted only when the last one has ended
   * (one still running over a replaced one must keep it, and mounting the image twice would
   * corrupt it).
   */
  private readonly workspaceUsers = new Map<string, number>();
  private readonly uids: SandboxUids | null;
  /** Why workspaces have no disk quota here, or null when they have one. */
  readonly noQuotaReason: string | null;

  constructor(private readonly options: LocalProviderOptions) {
    this.root = path.join(options.dataDir, 'sandboxes');
    mkdirSync(this.root, { recursive: true });
    // Sandboxes run as other uids: they may pass through the data dir to their own workspace,
    // but not list it or read anything else in it.
    if (isRoot()) {
      chmodSync(options.dataDir, 0o711);
      chmodSync(this.root, 0o711);
    }
    this.uids = isRoot()
      ? new SandboxUids(path.join(options.dataDir, 'sandbox-uids'), {
          first: options.uidBase,
          count: UID_COUNT,
        })
      : null;
    const quota = options.unisolated
      ? { available: false, reason: 'agents run unisolated' }
      : probeWorkspaceQuota();
    this.noQuotaReason = quota.available ? null : (quota.reason ?? 'unavailable');
    if (this.noQuotaReason)
      options.log.warn(
        `workspaces have NO disk quota: ${this.noQuotaReason}; an agent can fill the data dir's disk`,
      );
    this.peers = new SandboxPeers(
      isRoot() ? { first: options.uidBase, count: UID_COUNT } : null,
      () => this.launchers,
    );
    this.capabilities = {
      isolation: options.unisolated ? 'none' : 'bubblewrap',
      snapshots: false,
      restore: true, // a session's next sandbox reuses its workspace
      warmPool: false,
      resourceLimits: !options.unisolated,
    };
  }

  /** Where a session's workspace lives on the host. */
  workspaceOf(sessionId: string): string {
    return path.join(this.root, sessionId, 'workspace');
  }

  async start(spec: SandboxSpec): Promise<SandboxHandle> {
    const ids = this.uids?.claim(spec.sessionId);
    const quotaBytes = this.noQuotaReason ? null : this.options.limits.workspaceBytes;
    const { sessionDir, workspace, state, quota } = await prepareSessionDirs(
      this.root,
      spec.sessionId,
      ids,
      quotaBytes,
    );
    if (!quota.quota && !this.noQuotaReason)
      this.options.log.warn(
        { sessionId: spec.sessionId, reason: quota.reason },
        'this workspace has no disk quota',
      );
    const logFile = path.join(sessionDir, 'supervisor.log');
    const log = openSync(logFile, 'a', 0o600);

    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C.UTF-8',
      ...spec.env,
      ...encodeSandboxEnv({ secretsOnStdin: '1' }),
    };
    // Only a network launcher, host side, keeps the relay's keys out of what it starts.
    if (this.options.unisolated || !this.options.door) delete env[RELAY_SETTINGS_VARIABLE];
    let command: string[];
    let seccomp: number | undefined;
    let door: { close(): void } | undefined;
    if (this.options.unisolated) {
      env.HOME = path.join(state, 'home');
      Object.assign(env, encodeSandboxEnv({ workspace, stateDir: state }));
      command = this.options.command;
    } else {
      env.HOME = `${SANDBOX_STATE}/home`;
      Object.assign(env, encodeSandboxEnv({ workspace: SANDBOX_WORKSPACE, stateDir: SANDBOX_STATE }));
      seccomp = this.seccompFilter(sessionDir);
      const [interpreter, ...args] = this.options.command;
      const doorDir = path.join(sessionDir, 'door');
      door = await this.options.door?.open(spec.sessionId, path.join(doorDir, DOOR_SOCKET));
      const layout = {
        ...this.layout(workspace, state, ids),
        ...(this.options.door ? { network: { doorDir, ...NETWORK_FDS } } : {}),
        files: { [SUPERVISOR_BINARY]: execOnlyCopy(interpreter!, this.root) },
        ...(seccomp === undefined ? {} : { seccompFd: SECCOMP_FD }),
      };
      command = ['bwrap', ...bwrapArgs(layout, [...EXEC_AFTER_DROP, SUPERVISOR_BINARY, ...args])];
      if (this.options.door)
        command = networkedLauncher(spec.sandboxId, sessionDir, command, RELAY_SETTINGS_VARIABLE in spec.env);
    }
    // The launcher keeps the credentials (host side; the sandbox has its own pid namespace) and
    // its stdin hands them to the supervisor: what it runs starts without them.
    command = ['env', ...sandboxSecretNames().flatMap((name) => ['-u', name]), ...command];
    // Made and limited before the sandbox exists: the launcher joins them before it starts bwrap.
    const cgroup = new CgroupLimits(spec.sandboxId, this.options.limits);
    const cgroups = this.options.unisolated ? { procsFiles: [], missing: [] } : cgroup.prepare();
    if (cgroups.missing.length > 0) {
      this.options.log.warn(
        { sandboxId: spec.sandboxId, missing: cgroups.missing },
        'cgroup limits not available on this host; the sandbox runs without them',
      );
    }
    // `sh` stays as bwrap's parent (no exec), in a new session: see the class comment.
    const launcher = spawn(
      '/bin/sh',
      [
        '-c',
        LAUNCHER_SCRIPT,
        `nightshift-sandbox-${spec.sandboxId}`,
        ...cgroups.procsFiles,
        '--',
        ...command,
      ],
      {
        detached: true,
        stdio: ['pipe', log, log, ...(seccomp === undefined ? [] : [seccomp])],
        env,
        cwd: this.options.unisolated ? workspace : '/',
        // Isolated, bubblewrap itself drops to the session's uid; unisolated, the launcher does.
        ...(ids && this.options.unisolated ? ids : {}),
      },
    );
    closeSync(log);
    if (seccomp !== undefined) closeSync(seccomp);
    const pid = await new Promise<number>((resolve, reject) => {
      launcher.once('spawn', () => resolve(launcher.pid!));
      launcher.once('error', reject);
    });
    launcher.unref();
    // A launcher that ended at once (a cgroup it could not join) never reads it: not an error here.
    launcher.stdin!.on('error', () => {});
    launcher.stdin!.end(encodeSandboxSecrets(env));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      launcher.once('exit', (code, signal) => {
        // In the background: its last processes die a moment after the launcher, and one that
        // lingers (a stuck process) must not keep the runner from seeing the sandbox end.
        void cgroup.remove();
        resolve({ code, signal });
      }),
    );
    void exited.then(() => door?.close());
    return this.handle(spec.sandboxId, pid, logFile, exited);
  }

  adopt(sandboxId: string, handle: string): SandboxHandle | undefined {
    const { pid, logFile } = JSON.parse(handle) as { pid: number; logFile: string };
    if (!isOurLauncher(pid, sandboxId)) return undefined;
    const sessionDir = path.dirname(logFile);
    const doorSocket = path.join(sessionDir, 'door', DOOR_SOCKET);
    // A survivor reconnects through its door: the socket is made anew in the directory it sees.
    const door =
      this.options.door && existsSync(path.dirname(doorSocket))
        ? this.options.door.open(path.basename(sessionDir), doorSocket).catch((err: unknown) => {
            this.options.log.error({ err, sandboxId }, 'cannot reopen a sandbox door');
            return undefined;
          })
        : undefined;
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const timer = setInterval(() => {
        if (!isOurLauncher(pid, sandboxId)) {
          clearInterval(timer);
          void new CgroupLimits(sandboxId, this.options.limits).remove();
          resolve({ code: null, signal: null });
        }
      }, 500);
      timer.unref();
    });
    void exited.then(async () => (await door)?.close());
    return this.handle(sandboxId, pid, logFile, exited);
  }

  ownsPeer(remote: Endpoint, local: Endpoint): boolean {
    return this.peers.isSandbox(remote, local);
  }

  async discard(sessionId: string): Promise<void> {
    unmountWorkspaceQuota(this.workspaceOf(sessionId));
    await rm(path.join(this.root, sessionId), { recursive: true, force: true });
    // Only now: a later session given this uid must find nothing the previous one wrote.
    this.uids?.release(sessionId);
  }

  private handle(
    sandboxId: string,
    pid: number,
    logFile: string,
    exited: Promise<{ code: number | null; signal: string | null }>,
  ): SandboxHandle {
    this.launchers.add(pid);
    const workspace = path.join(path.dirname(logFile), 'workspace');
    this.workspaceUsers.set(workspace, (this.workspaceUsers.get(workspace) ?? 0) + 1);
    void exited.then(() => this.releaseWorkspace(workspace));
    void exited.then(() => this.launchers.delete(pid));
    return {
      sandboxId,
      handle: JSON.stringify({ pid, logFile }),
      exited,
      output: async () => tail(await readFile(logFile, 'utf8').catch(() => ''), 4000),
      kill: async () => {
        signalGroup(pid, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), delay(3000).then(() => false)]);
        if (!done) signalGroup(pid, 'SIGKILL');
        await Promise.race([exited, delay(2000)]);
      },
    };
  }

  private releaseWorkspace(workspace: string): void {
    const users = (this.workspaceUsers.get(workspace) ?? 1) - 1;
    if (users > 0) return void this.workspaceUsers.set(workspace, users);
    this.workspaceUsers.delete(workspace);
    unmountWorkspaceQuota(workspace);
  }

  private layout(workspace: string, state: string, dropTo: { uid: number; gid: number } | undefined) {
    const rootSymlinks: Record<string, string> = {};
    const systemDirs: string[] = [];
    for (const dir of SYSTEM_DIRS) {
      if (!existsSync(dir)) continue;
      const stat = lstatSync(dir);
      if (stat.isSymbolicLink()) rootSymlinks[dir.slice(1)] = readlinkSync(dir);
      else if (stat.isDirectory()) systemDirs.push(dir);
    }
    const nodePrefix = path.dirname(path.dirname(process.execPath));
    const readOnly = [this.options.installDir];
    if (!SYSTEM_DIRS.some((d) => nodePrefix === d || nodePrefix.startsWith(`${d}/`)))
      readOnly.push(nodePrefix);
    return {
      workspace,
      state,
      readOnly,
      hidden: [this.options.dataDir],
      tmpBytes: this.options.limits.tmpBytes,
      rootSymlinks,
      systemDirs,
      ...(dropTo ? { dropTo } : {}),
    };
  }

  /** The filter for this machine, opened for bwrap to read; none (with a warning) on another arch. */
  private seccompFilter(sessionDir: string): number | undefined {
    const arch = seccompArchOf();
    if (!arch) {
      this.options.log.warn({ arch: process.arch }, 'no seccomp filter for this architecture');
      return undefined;
    }
    const file = path.join(sessionDir, 'seccomp.bpf');
    writeFileSync(file, encodeBpf(sandboxSeccompFilter(arch)), { mode: 0o600 });
    return openSync(file, 'r');
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function isOurLauncher(pid: number, sandboxId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`nightshift-sandbox-${sandboxId}`);
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}
