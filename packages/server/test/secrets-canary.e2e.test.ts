/**
 * A canary secret through the whole pipeline, in a real bubblewrap sandbox with real OpenCode:
 * set through the API, sealed in the database, handed to the sandbox on the supervisor's stdin,
 * given to setup.sh and to the agent's commands (through OpenCode's `shell.env` plugin hook) —
 * and nowhere else: not in an API answer, an event, a server log line, a file of the data dir
 * outside the database, a commit, or the environment of any long-lived process in the sandbox.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '@nightshift/protocol';
import { makeRepoWithFiles } from './support/agent-stack.js';
import { startShellStack, type ShellStack } from './support/agent-shell.js';
import { filesHolding } from './support/secret-probes.js';

const CANARY = `canary-${randomBytes(16).toString('hex')}`;
const SETUP_CANARY = `setup-${randomBytes(16).toString('hex')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let stack: ShellStack;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startShellStack({
    logLevel: 'debug',
    logDestination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
});
afterAll(async () => {
  await stack?.close();
});

/**
 * Hashes every variable of every process it can read in the sandbox and prints those whose
 * value hashes to one it was given, apart from those of its own process group: the command the
 * agent runs for it holds the agent-scope secrets by design, for as long as it runs (which also
 * shows the probe finds a value where there is one). It is given hashes, so its own command line
 * holds no value.
 */
function environProbe(hashes: Record<string, string>): string {
  const script = `
import hashlib, json, os
wanted = json.loads(${JSON.stringify(JSON.stringify(hashes))})
mine = os.getpgrp()
hits, own, readable = [], [], []
for pid in (p for p in os.listdir('/proc') if p.isdigit()):
    try:
        ours = os.getpgid(int(pid)) == mine
        cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode(errors='replace')[:200]
        env = open(f'/proc/{pid}/environ', 'rb').read()
    except OSError:
        continue
    readable.append(cmd)
    for entry in env.split(b'\\0'):
        value = entry.split(b'=', 1)[-1]
        for name, digest in wanted.items():
            if hashlib.sha256(value).hexdigest() == digest or digest.encode() in entry:
                (own if ours else hits).append(name if ours else f'{pid} {cmd}: {name}')
print('ENVIRON ' + json.dumps({'hits': hits, 'own': own, 'readable': readable}))
`;
  return `/usr/bin/python3 - <<'PY'\n${script}\nPY`;
}

describe('a secret in a real sandbox', () => {
  it('reaches setup.sh and the agent, is masked in what they print, and is left out of the commit', async () => {
    const repo = makeRepoWithFiles({
      'README.md': 'canary\n',
      '.nightshift/setup.sh': [
        'printf %s "$SETUP_TOKEN" | sha256sum > /state/setup-hashes',
        'printf %s "$CANARY_TOKEN" | sha256sum >> /state/setup-hashes',
        'echo "setup sees $SETUP_TOKEN"',
        '',
      ].join('\n'),
    });
    const { client } = stack.server;
    await client.putSecret('CANARY_TOKEN', { value: CANARY });
    await client.putSecret('SETUP_TOKEN', { value: SETUP_CANARY, repo, scope: 'setup' });
    const answers: unknown[] = [await client.listSecrets(), await client.listSecrets(repo)];

    const session = await stack.api.createSession(repo);
    const used = await stack.agentRuns(
      session.id,
      [
        'printf %s "$CANARY_TOKEN" | sha256sum',
        'echo "setup token: [${SETUP_TOKEN:-absent}]"',
        'echo "the agent sees $CANARY_TOKEN"',
        'printf %s "$CANARY_TOKEN" > leaked.txt',
        'echo fine > fine.txt',
      ].join('\n'),
    );
    // The agent used the value: the hash is right.
    expect(used).toContain(sha256(CANARY));
    // The setup-scope secret is not the agent's.
    expect(used).toContain('setup token: [absent]');
    // What it printed is masked before it left the sandbox.
    expect(used).toContain('the agent sees [secret:CANARY_TOKEN]');

    // setup.sh had both scopes, and its output is masked too.
    const sessionDir = path.join(stack.server.dataDir, 'sandboxes', session.id);
    const setupHashes = readFileSync(path.join(sessionDir, 'state', 'setup-hashes'), 'utf8');
    expect(setupHashes).toContain(sha256(SETUP_CANARY));
    expect(setupHashes).toContain(sha256(CANARY));
    const events = await stack.api.events(session.id);
    const setupStatus = events.find(
      (e) => e.type === 'sandbox_status' && (e.data as { phase?: string }).phase === 'setup',
    );
    expect(JSON.stringify(setupStatus?.data)).toContain('setup sees [secret:SETUP_TOKEN]');

    // The commit has fine.txt, not the file holding the value, and says which and why.
    const artifacts: Artifact[] = await stack.api.artifacts(session.id);
    const commit = artifacts.find((a) => a.type === 'commit');
    expect(commit?.data).toMatchObject({ withheld: [{ path: 'leaked.txt', secret: 'CANARY_TOKEN' }] });
    const branch = (await stack.api.session(session.id)).branch;
    const tree = execFileSync('git', ['ls-tree', '-r', '--name-only', branch], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(tree).toContain('fine.txt');
    expect(tree).not.toContain('leaked.txt');
    const history = execFileSync('git', ['log', '-p', '--all'], { cwd: repo, encoding: 'utf8' });
    expect(history).not.toContain(CANARY);
    // Still in the workspace, for the agent to deal with.
    expect(readFileSync(path.join(sessionDir, 'workspace', 'leaked.txt'), 'utf8')).toBe(CANARY);

    // The supervisor's socket, which the agent can reach too, serves the agent scope only.
    const served = await stack.agentRuns(
      session.id,
      [
        `/usr/bin/python3 - <<'PY'`,
        'import hashlib, json, socket',
        's = socket.socket(socket.AF_UNIX); s.connect("/state/agent-env/secrets.sock")',
        'data = b""',
        'while chunk := s.recv(65536): data += chunk',
        'served = json.loads(data)',
        'print("SERVED " + json.dumps({n: hashlib.sha256(v.encode()).hexdigest() for n, v in served.items()}))',
        'PY',
      ].join('\n'),
    );
    const servedLine = served.split('\n').find((l) => l.startsWith('SERVED '));
    expect(JSON.parse(servedLine!.slice('SERVED '.length))).toEqual({ CANARY_TOKEN: sha256(CANARY) });

    // No process in the sandbox holds either value in its environment.
    const probed = await stack.agentRuns(
      session.id,
      environProbe({ CANARY_TOKEN: sha256(CANARY), SETUP_TOKEN: sha256(SETUP_CANARY) }),
    );
    const line = probed.split('\n').find((l) => l.startsWith('ENVIRON '));
    const { hits, own, readable } = JSON.parse(line!.slice('ENVIRON '.length)) as {
      hits: string[];
      own: string[];
      readable: string[];
    };
    expect(hits).toEqual([]);
    // The probe finds a value where one is: in its own command's environment, the agent scope's.
    expect(own).toContain('CANARY_TOKEN');
    expect(own).not.toContain('SETUP_TOKEN');
    // The probe works: it reads OpenCode's environment, the agent's own uid's.
    expect(readable.some((cmd) => /opencode/.test(cmd))).toBe(true);

    // And the values are nowhere a person or the disk would show them.
    answers.push(
      await stack.api.events(session.id),
      await stack.api.artifacts(session.id),
      await stack.api.messages(session.id),
      await stack.api.session(session.id),
      await client.listSessions(),
    );
    for (const value of [CANARY, SETUP_CANARY]) {
      expect(JSON.stringify(answers)).not.toContain(value);
      expect(logLines.join('')).not.toContain(value);
    }
    const onDisk = filesHolding(stack.server.dataDir, [CANARY, SETUP_CANARY]).filter(
      (found) =>
        // The withheld file is the agent's, in its workspace; OpenCode's own record of the
        // agent's session (its tool output, before masking) is in the sandbox's state, inside its walls.
        !found.startsWith(`${path.join(sessionDir, 'workspace', 'leaked.txt')}:`) &&
        !found.startsWith(`${path.join(sessionDir, 'state', 'opencode')}/`),
    );
    expect(onDisk).toEqual([]);
  }, 300_000);
});
