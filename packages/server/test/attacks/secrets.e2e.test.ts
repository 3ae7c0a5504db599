/**
 * Attacks on the secrets around a sandbox, run by the agent from inside a real bubblewrap sandbox
 * (issue 9, item 3): reading every process's environment, command line and memory; tracing the
 * supervisor; the calls a sandbox escape starts with; and, for an http(s) origin with a token in
 * its URL, using whatever credential it can find to push the base branch, a tag, a force-push.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, startGitHttpServer, type GitHttpServer } from '@nightshift/testkit';
import { makeRepoWithFiles, tempDir } from '../support/agent-stack.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';
import {
  filesHolding,
  isSupervisor,
  launcherSecrets,
  parseProbe,
  procProbe,
  traceSupervisorProbe,
} from '../support/secret-probes.js';

const ORIGIN_USER = 'attack-pusher';
/** The origin's token: the marker is searched for in memory, the rest is never told the agent. */
const MARKER = 'nsorigintoken';
const ORIGIN_PASSWORD = `${MARKER}${randomBytes(16).toString('hex')}`;
const ORIGIN_SECRETS = [ORIGIN_PASSWORD, Buffer.from(`${ORIGIN_USER}:${ORIGIN_PASSWORD}`).toString('base64')];
const PROBE_DIR = '/state/probe';

let stack: ShellStack;
let gitServer: GitHttpServer;
let gitRoot: string;

beforeAll(async () => {
  gitRoot = tempDir('ns-attack-origin-');
  gitServer = await startGitHttpServer({ root: gitRoot, username: ORIGIN_USER, password: ORIGIN_PASSWORD });
  stack = await startShellStack();
});
afterAll(async () => {
  await stack?.close();
  await gitServer?.close();
  if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();

async function credentialedOrigin(name: string) {
  const bare = await createBareRepo(gitRoot, name);
  const url = gitServer.repoUrl(path.basename(bare), { credentials: true });
  expect(url).toContain(ORIGIN_PASSWORD);
  return { bare, url };
}

const sessionDir = (sessionId: string) => path.join(stack.server.dataDir, 'sandboxes', sessionId);

describe('the secrets around a sandbox, attacked by its own agent', () => {
  it('no process in the sandbox shows a credential in its environment, command line or memory', async () => {
    const { url } = await credentialedOrigin('environ');
    const session = await stack.api.createSession(url);
    const output = await stack.agentRuns(session.id, procProbe(PROBE_DIR, MARKER));
    const { token, gitPassword } = launcherSecrets(stack.server.dataDir, session.id);
    expect(token).toBeTruthy();

    const views = parseProbe(output);
    const supervisor = Object.entries(views).find(([, view]) => isSupervisor(view));
    expect(supervisor, 'the probe sees the supervisor').toBeDefined();
    expect(supervisor![1]).toMatchObject({ environ: 'denied', mem: 'denied' });
    // The probe works: it reads the agent's own processes.
    expect(Object.values(views).some((v) => v.environ === 'readable' && v.mem === 'readable')).toBe(true);
    for (const [pid, view] of Object.entries(views))
      expect(view.markerInMemory, `the origin token in the memory of ${pid} ${view.cmdline}`).toBe(false);

    const dumps = path.join(sessionDir(session.id), 'state', 'probe');
    expect(filesHolding(dumps, ORIGIN_SECRETS)).toEqual([]);
    const sandboxSecrets = [token, ...(gitPassword ? [gitPassword] : [])];
    expect(filesHolding(dumps, sandboxSecrets)).toEqual([]);
    expect(JSON.stringify(await stack.api.events(session.id))).not.toContain(token);
  }, 180_000);

  it('keeps the credentials out of bubblewrap’s init, which is the agent’s own uid and dumpable without root', async () => {
    const { url } = await credentialedOrigin('init');
    const session = await stack.api.createSession(url);
    const dump = `${PROBE_DIR}/init.environ`;
    const output = await stack.agentRuns(
      session.id,
      [
        `mkdir -p ${PROBE_DIR}`,
        `echo "INIT $(tr '\\0' ' ' < /proc/1/cmdline)"`,
        `if cat /proc/1/environ > ${dump} 2>/dev/null; then echo 'ENVIRON readable'; else echo 'ENVIRON denied'; fi`,
      ].join('\n'),
    );
    expect(output).toMatch(/^INIT bwrap /m);
    // As root, bubblewrap's init is root's and closed to the agent; without root it is readable,
    // so what it holds is what the agent gets.
    expect(output).toMatch(process.getuid?.() === 0 ? /^ENVIRON denied$/m : /^ENVIRON readable$/m);
    const { token, gitPassword } = launcherSecrets(stack.server.dataDir, session.id);
    expect(token).toBeTruthy();
    const held = [token, ...(gitPassword ? [gitPassword] : []), ...ORIGIN_SECRETS];
    const names = ['NIGHTSHIFT_SANDBOX_TOKEN', 'NIGHTSHIFT_GIT_PASSWORD'];
    expect(filesHolding(path.join(sessionDir(session.id), 'state', 'probe'), [...held, ...names])).toEqual(
      [],
    );
  }, 180_000);

  it('cannot trace the supervisor', async () => {
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'trace\n' }));
    const output = await stack.agentRuns(session.id, traceSupervisorProbe());
    expect(output).toMatch(/^SUPERVISOR \d+$/m);
    const EPERM = 1;
    expect(output).toMatch(new RegExp(`^PTRACE -1 ${EPERM}$`, 'm'));
    expect(output).not.toMatch(/^STRACE .*attached/m);
    if (!/^STRACE absent$/m.test(output)) expect(output).toMatch(/^STRACE .*Operation not permitted/m);
  }, 180_000);

  it('refuses the calls an escape starts with (ptrace, process_vm_readv, unshare, keyctl, bpf), while git, node and npm work', async () => {
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'seccomp\n' }));
    const script = `
import ctypes, os, platform
libc = ctypes.CDLL(None, use_errno=True)
nr = {'x86_64': {'ptrace': 101, 'process_vm_readv': 310, 'keyctl': 250, 'bpf': 321, 'unshare': 272},
      'aarch64': {'ptrace': 117, 'process_vm_readv': 270, 'keyctl': 219, 'bpf': 280, 'unshare': 97}}[platform.machine()]
calls = {
  'ptrace': (nr['ptrace'], 0, 0, 0, 0),                      # PTRACE_TRACEME
  'process_vm_readv': (nr['process_vm_readv'], os.getppid(), 0, 0, 0, 0, 0),
  'keyctl': (nr['keyctl'], 0, -3, 0),                         # KEYCTL_GET_KEYRING_ID session
  'bpf': (nr['bpf'], 0, 0, 0),
  'unshare': (nr['unshare'], 0x10000000),                     # CLONE_NEWUSER
}
for name, args in calls.items():
    result = libc.syscall(*[ctypes.c_long(a) for a in args])
    print('CALL', name, result, ctypes.get_errno())
`;
    const output = await stack.agentRuns(
      session.id,
      [
        `/usr/bin/python3 - <<'PY'\n${script}\nPY`,
        `unshare --user --map-root-user true 2>&1 | sed 's/^/UNSHARE /'; echo "UNSHARE exit $?"`,
        `cd /tmp && git init --quiet work && cd work && echo x > x && git add x && git -c user.name=a -c user.email=a@b commit --quiet -m x && echo "GIT $(git rev-list --count HEAD)"`,
        `echo "NODE $(node -e 'console.log(require("node:child_process").execSync("echo child").toString().trim())')"`,
        `echo "NPM $(npm --version)"`,
      ].join('\n'),
    );
    for (const call of ['ptrace', 'process_vm_readv', 'keyctl', 'bpf', 'unshare'])
      expect(output, call).toMatch(new RegExp(`^CALL ${call} -1 1$`, 'm'));
    expect(output).toMatch(/^UNSHARE .*Operation not permitted/m);
    expect(output).toMatch(/^GIT 1$/m);
    expect(output).toMatch(/^NODE child$/m);
    expect(output).toMatch(/^NPM \d+\.\d+\.\d+$/m);
  }, 180_000);

  it('pushes neither the base branch nor a tag nor a force-push to an origin with a token in its URL, whatever credential it finds', async () => {
    const { bare, url } = await credentialedOrigin('pushes');
    const refsBefore = git(bare, 'show-ref');
    const session = await stack.api.createSession(url);
    // The first prompt puts the sandbox up; its git password, as the host holds it, is handed to
    // the attack too: the endpoint's branch rules must hold for a sandbox that has it.
    await stack.agentRuns(session.id, 'git remote -v');
    const { gitPassword } = launcherSecrets(stack.server.dataDir, session.id);
    const attack = [
      // Any credential-bearing origin URL any process shows, else the checkout's own.
      `FOUND=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | sed -n 's/^NIGHTSHIFT_REPO_URL=//p' | head -1)`,
      `ORIGIN=$(git remote get-url origin)`,
      `WITH_PASSWORD=$(echo "$ORIGIN" | sed "s#://#://sandbox:${gitPassword}@#")`,
      `git commit-tree 'HEAD^{tree}' -m rewritten > /tmp/orphan`,
      `git commit --quiet --allow-empty -m evil && git tag evil-tag`,
      `for target in "\${FOUND:-$ORIGIN}" "$WITH_PASSWORD"; do`,
      `  git push --quiet "$target" HEAD:refs/heads/main 2>&1 | tr '\\n' ' ' | sed 's/^/BASE /'; echo`,
      `  git push --quiet "$target" refs/tags/evil-tag 2>&1 | tr '\\n' ' ' | sed 's/^/TAG /'; echo`,
      `  git push --quiet --force "$target" "$(cat /tmp/orphan):refs/heads/main" 2>&1 | tr '\\n' ' ' | sed 's/^/FORCE /'; echo`,
      `  git push --quiet "$target" HEAD:refs/heads/elsewhere 2>&1 | tr '\\n' ' ' | sed 's/^/OTHER /'; echo`,
      `done`,
      `git reset --quiet --hard HEAD~1 && git tag -d evil-tag >/dev/null`,
      `echo "== remote"; git remote -v; echo "== config"; cat .git/config; echo "== env"; env`,
    ].join('\n');
    const output = await stack.agentRuns(session.id, attack);
    expect(output).toContain('== remote'); // the attack ran to its end

    // The origin is as it was: base branch, no tag, no other branch.
    expect(git(bare, 'show-ref')).toBe(refsBefore);
    for (const kind of ['BASE', 'TAG', 'FORCE', 'OTHER'])
      expect(output, kind).toMatch(
        new RegExp(`^${kind} .*(rejected|refused|denied|403|401|failed|error)`, 'mi'),
      );

    // And the token is nowhere: the timeline, the sandbox's files, its environment, its remote.
    const timeline = JSON.stringify(await stack.api.events(session.id));
    for (const secret of ORIGIN_SECRETS) expect(timeline).not.toContain(secret);
    for (const secret of ORIGIN_SECRETS) expect(output).not.toContain(secret);
    expect(filesHolding(sessionDir(session.id), ORIGIN_SECRETS)).toEqual([]);
  }, 240_000);
});
