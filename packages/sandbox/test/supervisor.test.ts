/**
 * The supervisor end to end, as a real process: real git (file:// and HTTP with credentials),
 * real OpenCode driven by the scripted model, and a control-plane end of the bridge that can die
 * and come back.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeUp } from '@nightshift/protocol';
import {
  createBareRepo,
  git,
  startGitHttpServer,
  startModelServer,
  text,
  toolCall,
  type GitHttpServer,
  type ModelServer,
} from '@nightshift/testkit';
import { TestBridgePeer } from './bridge-peer.js';
import { startSupervisor, type SupervisorProcess } from './supervisor-process.js';

const token = 'sandbox-token-do-not-leak-7f3a';
const alice = { name: 'Alice Author', email: 'alice@example.com' };
const bob = { name: 'Bob Builder', email: 'bob@example.com' };

let root: string;
let model: ModelServer;
let n = 0;
const running: SupervisorProcess[] = [];
const peers: TestBridgePeer[] = [];

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-supervisor-'));
  model = await startModelServer();
});
afterEach(async () => {
  // SIGTERM first: the supervisor stops OpenCode (its own process group) before exiting.
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const p of peers.splice(0)) await p.kill();
});
afterAll(async () => {
  await model?.close();
  await fs.rm(root, { recursive: true, force: true, maxRetries: 5 });
});

async function setup(
  files: Record<string, string>,
  repoUrl?: (bare: string) => string,
  extraEnv: Record<string, string> = {},
) {
  n += 1;
  const bare = await createBareRepo(root, `repo${n}`, { files });
  const peer = new TestBridgePeer({ token });
  await peer.start();
  peers.push(peer);
  const workspace = path.join(root, `ws${n}`);
  const state = path.join(root, `state${n}`);
  await fs.mkdir(path.join(state, 'home'), { recursive: true });
  const env = {
    HOME: path.join(state, 'home'),
    NIGHTSHIFT_BRIDGE_URL: peer.url,
    NIGHTSHIFT_SANDBOX_TOKEN: token,
    NIGHTSHIFT_SANDBOX_ID: `sb${n}`,
    NIGHTSHIFT_REPO_URL: repoUrl ? repoUrl(bare) : `file://${bare}`,
    NIGHTSHIFT_BASE_BRANCH: 'main',
    NIGHTSHIFT_BRANCH: `nightshift/s${n}`,
    NIGHTSHIFT_WORKSPACE: workspace,
    NIGHTSHIFT_STATE_DIR: state,
    NIGHTSHIFT_BOT_NAME: 'Night Bot',
    NIGHTSHIFT_BOT_EMAIL: 'night-bot@example.com',
    NIGHTSHIFT_HEARTBEAT_SECONDS: '1',
    NIGHTSHIFT_MODEL: 'openai-compatible/scripted',
    NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: model.baseUrl,
    ...extraEnv,
  };
  const proc = startSupervisor(env);
  running.push(proc);
  return { bare, peer, proc, workspace, branch: env.NIGHTSHIFT_BRANCH };
}

/** The pid of the `opencode serve` the supervisor started. */
async function openCodeChild(supervisorPid: number): Promise<number> {
  const tasks = await fs.readdir(`/proc/${supervisorPid}/task`);
  for (const task of tasks) {
    const children = (await fs.readFile(`/proc/${supervisorPid}/task/${task}/children`, 'utf8')).trim();
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes('opencode') && cmdline.includes('serve')) return pid;
    }
  }
  throw new Error('no opencode serve process under the supervisor');
}

const ofType = <T extends BridgeUp['type']>(peer: TestBridgePeer, type: T) =>
  peer.stored.filter((m): m is Extract<BridgeUp, { type: T }> => m.type === type);
const resultOf = (peer: TestBridgePeer, messageId: string) =>
  ofType(peer, 'prompt_result').find((m) => m.messageId === messageId);
const activityOf = (peer: TestBridgePeer, messageId: string) =>
  ofType(peer, 'activity')
    .map((m) => m.activity)
    .filter((a) => a.messageId === messageId);

function prompt(peer: TestBridgePeer, messageId: string, textValue: string, author = alice) {
  peer.send({ type: 'prompt', messageId, text: textValue, author, model: null });
}

describe('supervisor', () => {
  it('syncs, runs setup and start, starts OpenCode, runs attributed prompts, stops one, and shuts down', async () => {
    const { bare, peer, proc, branch } = await setup({
      'README.md': '# app\n',
      '.gitignore': '.cache/\n',
      '.nightshift/setup.sh':
        'mkdir -p .cache && echo installed > .cache/setup-ran && echo "setup: deps installed"\n',
      '.nightshift/start.sh': 'echo "start: services up"; test -f .cache/setup-ran\n',
      '.openinspect/start.sh': 'echo "the fallback must not run"; exit 1\n',
    });
    await peer.waitFor(() => ofType(peer, 'ready').length === 1 || ofType(peer, 'error').length > 0, 60_000);
    expect(ofType(peer, 'error')).toEqual([]);
    const hello = peer.hellos[0]!;
    expect(hello).toMatchObject({ type: 'hello', sandboxId: expect.any(String), runningMessageId: null });
    // The phases, in order, each with its duration.
    const statuses = ofType(peer, 'status');
    expect(statuses.map((s) => [s.status, s.phase])).toEqual([
      ['syncing', 'clone'],
      ['setup', 'setup'],
      ['starting', 'start'],
      ['starting', 'opencode'],
    ]);
    for (const s of statuses) expect(s.durationMs).toEqual(expect.any(Number));
    expect(statuses[1]!.output).toContain('setup: deps installed');
    expect(statuses[2]!.output).toContain('start: services up');
    const ready = ofType(peer, 'ready')[0]!;
    expect(ready.durationMs).toBeGreaterThan(0);

    // Two authors, two commits.
    model.push(toolCall('write', { filePath: 'alice.txt', content: 'from alice\n' }), text('Alice is done.'));
    prompt(peer, 'm1', 'Write alice.txt\n\nwith a greeting');
    await peer.waitFor(() => resultOf(peer, 'm1') !== undefined, 60_000);
    model.push(toolCall('write', { filePath: 'bob.txt', content: 'from bob\n' }), text('Bob is done.'));
    prompt(peer, 'm2', 'Write bob.txt', bob);
    // The control plane re-issues a prompt it is unsure about: it runs once, and is answered again.
    prompt(peer, 'm1', 'Write alice.txt\n\nwith a greeting');
    await peer.waitFor(() => resultOf(peer, 'm2') !== undefined, 60_000);

    const r1 = resultOf(peer, 'm1')!;
    expect(r1).toMatchObject({ outcome: 'completed', commit: { author: alice, branch, pushed: true } });
    expect(r1.commit!.message).toBe('Write alice.txt\n\nWrite alice.txt\n\nwith a greeting');
    expect(resultOf(peer, 'm2')).toMatchObject({
      outcome: 'completed',
      commit: { author: bob, pushed: true },
    });
    const answers = ofType(peer, 'prompt_result').filter((r) => r.messageId === 'm1');
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatchObject({ outcome: 'completed', commit: null });

    const a1 = activityOf(peer, 'm1');
    const tools = a1.filter((a) => a.kind === 'tool');
    expect(tools.map((t) => t.kind === 'tool' && t.status)).toContain('completed');
    expect(
      a1
        .filter((a) => a.kind === 'text')
        .map((a) => (a.kind === 'text' ? a.delta : ''))
        .join(''),
    ).toContain('Alice is done.');
    // Activity comes before the result, in id order.
    const resultIndex = peer.stored.indexOf(r1);
    expect(peer.stored.findIndex((m) => m.type === 'activity')).toBeLessThan(resultIndex);

    const log = await git(['log', '--format=%an|%cn|%ce|%s', branch], bare);
    expect(log.split('\n').slice(0, 2)).toEqual([
      `${bob.name}|Night Bot|night-bot@example.com|Write bob.txt`,
      `${alice.name}|Night Bot|night-bot@example.com|Write alice.txt`,
    ]);
    // setup.sh's output is ignored by the repository and never committed.
    expect(await git(['ls-tree', '-r', '--name-only', branch], bare)).not.toContain('.cache');

    // Stop ends a long tool call within seconds; nothing changed, so no commit.
    // No turn after the tool call: the stop comes before OpenCode would ask for one.
    model.push(toolCall('bash', { command: 'sleep 60', description: 'Sleep a minute' }));
    prompt(peer, 'm3', 'Sleep');
    await peer.waitFor(
      () => activityOf(peer, 'm3').some((a) => a.kind === 'tool' && a.status === 'running'),
      60_000,
    );
    const stopAt = Date.now();
    peer.send({ type: 'stop', messageId: 'm3' });
    await peer.waitFor(() => resultOf(peer, 'm3') !== undefined, 15_000);
    expect(Date.now() - stopAt).toBeLessThan(8000);
    expect(resultOf(peer, 'm3')).toMatchObject({ outcome: 'stopped', commit: null });

    peer.send({ type: 'snapshot', reason: 'idle' });
    await peer.waitFor(() => ofType(peer, 'error').length === 1);
    expect(ofType(peer, 'error')[0]!.message).toMatch(/snapshots are not supported/);

    peer.send({ type: 'shutdown' });
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.output()).not.toContain(token);
    expect(JSON.stringify(peer.received)).not.toContain(token);
  }, 150_000);

  it('restarts OpenCode when it dies, and the next prompt runs on the new one', async () => {
    const { peer, proc } = await setup({ 'README.md': '# app\n' });
    await peer.waitFor(() => ofType(peer, 'ready').length === 1 || ofType(peer, 'error').length > 0, 60_000);
    const opencode = await openCodeChild(proc.pid);
    process.kill(-opencode, 'SIGKILL');
    await peer.waitFor(() => ofType(peer, 'error').length === 1, 20_000);
    expect(ofType(peer, 'error')[0]).toMatchObject({
      phase: 'opencode',
      message: expect.stringMatching(/OpenCode was killed \(SIGKILL\); restarting in \d+ ms/),
    });
    model.push(
      toolCall('write', { filePath: 'after.txt', content: 'after the crash\n' }),
      text('Recovered.'),
    );
    prompt(peer, 'm1', 'Write after.txt');
    await peer.waitFor(() => resultOf(peer, 'm1') !== undefined, 60_000);
    expect(resultOf(peer, 'm1')).toMatchObject({ outcome: 'completed', commit: { pushed: true } });
    expect(await openCodeChild(proc.pid)).not.toBe(opencode);
  }, 120_000);

  it('fails fast with start.sh’s output, and answers prompts with the reason', async () => {
    const { peer, proc } = await setup({
      'README.md': '# app\n',
      '.openinspect/start.sh': 'echo "database is not reachable" >&2; exit 3\n',
    });
    await peer.waitFor(() => ofType(peer, 'error').length === 1, 60_000);
    const status = ofType(peer, 'status').find((s) => s.phase === 'start')!;
    expect(status.output).toContain('database is not reachable');
    expect(status.output).toContain('.openinspect/start.sh failed with exit code 3');
    expect(ofType(peer, 'error')[0]).toMatchObject({
      phase: 'start',
      message: expect.stringContaining('database is not reachable'),
    });
    expect(ofType(peer, 'ready')).toEqual([]);
    prompt(peer, 'm1', 'anything');
    await peer.waitFor(() => resultOf(peer, 'm1') !== undefined);
    expect(resultOf(peer, 'm1')).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('exit code 3'),
    });
    peer.send({ type: 'shutdown' });
    expect((await proc.exited).code).toBe(0);
  }, 90_000);

  describe('over HTTP with credentials', () => {
    const password = 'git-password-do-not-leak-91c2';
    let server: GitHttpServer;
    beforeAll(async () => {
      server = await startGitHttpServer({ root, username: 'sandbox', password });
    });
    afterAll(async () => server?.close());

    it('keeps a prompt running while the control plane restarts and delivers everything once', async () => {
      const { bare, peer, proc, workspace, branch } = await setup(
        { 'README.md': '# app\n' },
        (b) => server.repoUrl(path.basename(b)),
        { NIGHTSHIFT_GIT_USERNAME: 'sandbox', NIGHTSHIFT_GIT_PASSWORD: password },
      );
      await peer.waitFor(
        () => ofType(peer, 'ready').length === 1 || ofType(peer, 'error').length > 0,
        60_000,
      );
      expect(ofType(peer, 'error')).toEqual([]);

      const chunks = Array.from({ length: 60 }, (_, i) => `chunk ${i}. `);
      model.push(
        toolCall('write', { filePath: 'story.txt', content: 'a long story\n' }),
        text(chunks, { chunkDelayMs: 50 }),
      );
      prompt(peer, 'm1', 'Tell a long story');
      await peer.waitFor(() => activityOf(peer, 'm1').some((a) => a.kind === 'text'), 60_000);
      await peer.kill();
      await new Promise((r) => setTimeout(r, 700));
      await peer.start();
      await peer.waitFor(() => resultOf(peer, 'm1') !== undefined, 60_000);

      expect(peer.hellos.length).toBeGreaterThanOrEqual(2);
      // It told the restarted control plane which prompt it was still running.
      expect(peer.hellos.slice(1).some((h) => h.runningMessageId === 'm1')).toBe(true);
      const text1 = activityOf(peer, 'm1')
        .map((a) => (a.kind === 'text' ? a.delta : ''))
        .join('');
      expect(text1).toBe(chunks.join(''));
      const ids = peer.stored.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(resultOf(peer, 'm1')).toMatchObject({
        outcome: 'completed',
        commit: { pushed: true, author: alice, remoteUrl: server.repoUrl(path.basename(bare)) },
      });
      expect(await git(['log', '-1', '--format=%an|%cn', branch], bare)).toBe(`${alice.name}|Night Bot`);

      const config = await fs.readFile(path.join(workspace, '.git', 'config'), 'utf8');
      expect(config).not.toContain(password);
      peer.send({ type: 'shutdown' });
      expect((await proc.exited).code).toBe(0);
      for (const secret of [password, token]) {
        expect(proc.output()).not.toContain(secret);
        expect(JSON.stringify(peer.received)).not.toContain(secret);
      }
    }, 150_000);
  });

  it('shuts itself down, OpenCode included, when its control plane is gone for good', async () => {
    const { peer, proc } = await setup({ 'README.md': '# orphan\n' }, undefined, {
      NIGHTSHIFT_ORPHAN_TIMEOUT_SECONDS: '3',
    });
    await peer.waitFor(() => ofType(peer, 'ready').length === 1, 60_000);
    const openCode = await openCodeChild(proc.pid);
    await peer.kill(); // the server goes away and never comes back
    expect((await proc.exited).code).toBe(0);
    expect(proc.output()).toContain('no control plane for');
    expect(() => process.kill(openCode, 0)).toThrow();
  }, 90_000);

  it('exits 2 naming the variables when the environment is unusable', async () => {
    const proc = startSupervisor({ NIGHTSHIFT_WORKSPACE: 'relative' });
    running.push(proc);
    expect((await proc.exited).code).toBe(2);
    expect(proc.output()).toContain('NIGHTSHIFT_BRIDGE_URL is required');
    expect(proc.output()).toContain('NIGHTSHIFT_WORKSPACE must be an absolute path');
  }, 30_000);

  it('reports an unusable environment over the bridge when it can reach it', async () => {
    const peer = new TestBridgePeer({ token });
    await peer.start();
    peers.push(peer);
    const proc = startSupervisor({
      NIGHTSHIFT_BRIDGE_URL: peer.url,
      NIGHTSHIFT_SANDBOX_TOKEN: token,
      NIGHTSHIFT_SANDBOX_ID: 'sbx',
    });
    running.push(proc);
    await peer.waitFor(() => ofType(peer, 'error').length === 1, 20_000);
    expect(ofType(peer, 'error')[0]).toMatchObject({
      phase: 'env',
      message: expect.stringContaining('NIGHTSHIFT_REPO_URL is required'),
    });
    peer.send({ type: 'shutdown' });
    expect((await proc.exited).code).toBe(2);
  }, 30_000);
});
