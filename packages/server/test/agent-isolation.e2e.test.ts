/**
 * What an agent can reach from inside its sandbox, through the public API with real bubblewrap
 * sandboxes, the real OpenCode and the scripted model: the model asks for shell commands that try
 * to read another session's workspace and the server's data dir, and the test reads what the
 * agent got back, as any user of the timeline would.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent, ToolActivity } from '@nightshift/protocol';
import type { TestServer } from './support/harness.js';
import { activityOf, makeRepoWithFiles } from './support/agent-stack.js';
import { sandboxProcesses } from './support/agent-process.js';
import { startShellStack, type ShellStack } from './support/agent-shell.js';
import {
  filesHolding,
  isSupervisor,
  launcherSecrets,
  parseProbe,
  procProbe,
} from './support/secret-probes.js';

const SECRET = `top-secret-${randomBytes(12).toString('hex')}`;

let stack: ShellStack;
let server: TestServer;
let api: ShellStack['api'];

beforeAll(async () => {
  stack = await startShellStack();
  ({ server, api } = stack);
});
afterAll(async () => {
  await stack?.close();
});

const timelineText = (events: SessionEvent[]) => JSON.stringify(events);

describe('a sandbox', () => {
  it('cannot read another session’s workspace or the server’s data dir', async () => {
    // Session A's checkout holds a secret; its sandbox has run, so its workspace is on disk.
    const repoA = makeRepoWithFiles({ 'secret.txt': `${SECRET}\n` });
    const a = await api.createSession(repoA);
    const seen = await stack.agentRuns(a.id, 'cat secret.txt');
    expect(seen).toContain(SECRET); // the probe works: a session does see its own files
    const workspaceA = path.join(server.dataDir, 'sandboxes', a.id, 'workspace');
    expect(readFileSync(path.join(workspaceA, 'secret.txt'), 'utf8')).toContain(SECRET);
    const database = path.join(server.dataDir, 'nightshift.db');
    expect(existsSync(database)).toBe(true);

    const b = await api.createSession(makeRepoWithFiles({ 'README.md': 'session B\n' }));
    const probes: Array<[string, string]> = [
      ['other workspace', `cat ${workspaceA}/secret.txt`],
      ['other workspace listing', `ls ${path.dirname(workspaceA)}`],
      ['data dir', `ls -la ${server.dataDir}`],
      ['database', `head -c 16 ${database}`],
      ['other origin', `cat ${repoA}/secret.txt`],
    ];
    const command = probes.map(([name, cmd]) => `echo "== ${name}"; ${cmd} 2>&1; echo "exit $?"`).join('; ');
    const output = await stack.agentRuns(b.id, command);

    const sections = Object.fromEntries(
      output
        .split(/^== /m)
        .slice(1)
        .map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1)]),
    );
    expect(Object.keys(sections)).toEqual(probes.map(([name]) => name));
    for (const name of ['other workspace', 'other workspace listing', 'data dir', 'database', 'other origin'])
      expect(sections[name], name).toMatch(/No such file or directory|Permission denied/);
    expect(sections['database']).not.toContain('SQLite format');
    // The secret is on session A's timeline (its own agent read it) and nowhere on session B's.
    expect(timelineText(await api.events(a.id))).toContain(SECRET);
    expect(timelineText(await api.events(b.id))).not.toContain(SECRET);
  }, 150_000);

  it('gives the agent an environment without the sandbox token', async () => {
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'env\n' }));
    const messageId = await stack.promptRunning(session.id, 'env');
    // The token the control plane gave this sandbox, as its launcher on this host holds it.
    await api.waitForEvent(session.id, (e) => e.type === 'sandbox_ready');
    const launcher = sandboxProcesses(server.dataDir, session.id).find((p) =>
      p.cmdline.startsWith('/bin/sh'),
    );
    expect(launcher).toBeDefined();
    const token = /(?:^|\0)NIGHTSHIFT_SANDBOX_TOKEN=([^\0]+)/.exec(
      readFileSync(`/proc/${launcher!.pid}/environ`, 'utf8'),
    )?.[1];
    expect(token).toBeTruthy();

    expect(await api.waitForPromptEnd(session.id, messageId)).toMatchObject({ status: 'completed' });
    const env = activityOf(await api.events(session.id), messageId).find(
      (a): a is ToolActivity => a.kind === 'tool' && a.status === 'completed',
    )?.output;
    expect(env).toContain('PATH='); // the probe works
    expect(env).not.toContain(token!);
    expect(env).not.toMatch(/NIGHTSHIFT_(SANDBOX_TOKEN|GIT_PASSWORD|BRIDGE_URL)=/);
  }, 150_000);

  it('keeps the sandbox token out of the agent’s reach: no process it can read holds it', async () => {
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'token\n' }));
    const output = await stack.agentRuns(session.id, procProbe('/state/probe', 'unused-marker'));
    const { token } = launcherSecrets(server.dataDir, session.id);
    expect(token).toBeTruthy();
    const probed = parseProbe(output);
    const views = Object.values(probed);
    // The supervisor holds the token; the kernel closes its environment and memory to the agent.
    expect(views.filter(isSupervisor)).toEqual([
      expect.objectContaining({ environ: 'denied', mem: 'denied' }),
    ]);
    expect(views.some((v) => v.environ === 'readable')).toBe(true); // the probe works
    const dumps = path.join(server.dataDir, 'sandboxes', session.id, 'state', 'probe');
    expect(filesHolding(dumps, [token, 'NIGHTSHIFT_SANDBOX_TOKEN'])).toEqual([]);
  }, 150_000);
  // A known gap, found by probing from inside a sandbox:
  it('keeps the provider API key out of the sandbox: the control plane’s model proxy adds it on the way out', async () => {
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'provider key\n' }));
    const before = stack.model.requests.length;
    const output = await stack.agentRuns(session.id, procProbe('/state/probe', 'unused-marker'));
    // The agent reached the model, which insists on the key: it was added outside the sandbox.
    const calls = stack.model.requests.slice(before).filter((r) => r.chat);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.apiKey === stack.apiKey)).toBe(true);
    // No process in the sandbox has it in its environment, and no file there holds it.
    expect(Object.values(parseProbe(output)).some((v) => v.environ === 'readable')).toBe(true);
    const sessionDir = path.join(server.dataDir, 'sandboxes', session.id);
    expect(filesHolding(sessionDir, [stack.apiKey])).toEqual([]);
  }, 150_000);
  it('cannot use the control plane’s API, though its bridge and git endpoint work', async () => {
    const other = await api.createSession(makeRepoWithFiles({ 'README.md': 'someone else\n' }));
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'api\n' }));
    // Raw HTTP the way the sandbox reaches the control plane: through its own door (its Unix
    // socket, the only way in when the sandbox has its own network, as the bridge and git use
    // it), or over TCP where it shares the host's network (slirp4netns cannot run here) and the
    // socket-table gate is what stands in the way.
    const { port } = new URL(server.url);
    const send =
      `send() { if [ -S /run/nightshift/control.sock ]; then ` +
      `node -e "const s=require('net').connect('/run/nightshift/control.sock');process.stdin.pipe(s);s.pipe(process.stdout)"; ` +
      `else exec 3<>/dev/tcp/127.0.0.1/${port}; cat >&3; cat <&3; exec 3<&-; fi; }`;
    const request = (name: string, head: string, body = '') =>
      `echo "== ${name}"; ` +
      `printf '${head}\\r\\nHost: x\\r\\nConnection: close\\r\\ncontent-type: application/json\\r\\ncontent-length: ${body.length}\\r\\n\\r\\n${body}' | send; ` +
      `echo`;
    const prompt = JSON.stringify({
      text: 'from a sandbox',
      author: { name: 'Mallory', email: 'm@example.com' },
    });
    const output = await stack.agentRuns(
      session.id,
      [
        send,
        request('list', 'GET /api/sessions HTTP/1.1'),
        request('events', `GET /api/sessions/${other.id}/events HTTP/1.1`),
        request('prompt', `POST /api/sessions/${other.id}/prompts HTTP/1.1`, prompt),
        request(
          'ws',
          `GET /api/sessions/${other.id}/ws HTTP/1.1\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==`,
        ),
        request('ui', 'GET / HTTP/1.1'),
      ].join('; '),
    );
    const sections = output.split(/^== /m).slice(1);
    expect(sections.map((s) => s.slice(0, s.indexOf('\n')))).toEqual([
      'list',
      'events',
      'prompt',
      'ws',
      'ui',
    ]);
    for (const section of sections) {
      expect(section).toMatch(/^HTTP\/1\.1 403/m);
      expect(section).toContain('sandbox_forbidden');
    }
    expect(output).not.toContain('"sessions"'); // no session listing came back
    // Nothing happened to the other session, and the API still answers everyone else.
    expect((await api.events(other.id)).filter((e) => e.type === 'prompt_queued')).toEqual([]);
    expect((await fetch(`${server.url}/api/sessions`)).status).toBe(200);
  }, 150_000);
});
