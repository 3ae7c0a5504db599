/**
 * What a prompt leaves behind, through the public API with real sandboxes, the real OpenCode and
 * the scripted model: attributed commits on the session branch, pushed to the origin (over the
 * control plane's git endpoint for local repositories, over HTTP with credentials otherwise),
 * announced as artifacts — and the timeline of one prompt from sandbox start to the end.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentActivity, Artifact, Author, SessionEvent } from '@nightshift/protocol';
import { createBareRepo, startGitHttpServer, text, toolCall, type GitHttpServer } from '@nightshift/testkit';
import { expectContiguous } from './support/harness.js';
import {
  activityOf,
  commitsOn,
  makeRepo,
  startAgentStack,
  tempDir,
  type AgentStack,
} from './support/agent-stack.js';

const BOT: Author = { name: 'Night Shift Bot', email: 'night-bot@example.test' };
const alice: Author = { name: 'Alice Liddell', email: 'alice@example.com' };
const bob: Author = { name: 'Bob Builder', email: 'bob@example.com' };

const GIT_USER = 'pusher';
const GIT_PASSWORD = 'pa55-do-not-leak-7f3e9c';
const SECRETS = [GIT_PASSWORD, Buffer.from(`${GIT_USER}:${GIT_PASSWORD}`).toString('base64')];

let stack: AgentStack;
let gitServer: GitHttpServer;
let gitRoot: string;
const logLines: string[] = [];

beforeAll(async () => {
  gitRoot = tempDir('ns-git-root-');
  gitServer = await startGitHttpServer({ root: gitRoot, username: GIT_USER, password: GIT_PASSWORD });
  stack = await startAgentStack({
    server: {
      sandbox: { bot: BOT },
      logLevel: 'info',
      logDestination: { write: (line: string) => void logLines.push(line) },
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await gitServer?.close();
  if (gitRoot) rmSync(gitRoot, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();

/** Where each scripted step's file goes and what the model says after writing it. */
function scriptWrite(file: string, content: string, reply: string) {
  stack.model.push(toolCall('write', { filePath: file, content }), text(reply));
}

/**
 * Two authors' prompts, the second sent while the first runs, on a session for `repo`; checks the
 * two commits that land in `originDir` (the repository the session's branch is pushed to).
 */
async function twoAuthorsOn(repo: string, originDir: string) {
  const baseBefore = git(originDir, 'rev-parse', 'refs/heads/main');
  scriptWrite('alice.txt', 'from alice\n', 'Alice is done.');
  scriptWrite('bob.txt', 'from bob\n', 'Bob is done.');
  const session = await stack.createSession(repo);
  expect(session.baseBranch).toBe('main');
  const first = await stack.prompt(session.id, 'Add alice.txt\n\nwith a greeting from Alice', alice);
  const second = await stack.prompt(session.id, 'Add bob.txt', bob);
  expect(first).toMatchObject({ status: 'running', position: 0 });
  expect(second).toMatchObject({ status: 'queued', position: 1 });

  expect(await stack.waitForPromptEnd(session.id, first.messageId)).toMatchObject({
    status: 'completed',
    author: alice,
  });
  expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({
    status: 'completed',
    author: bob,
  });

  // Two commits on the session branch, newest first, each by the prompt's author, committed by the bot.
  const commits = commitsOn(originDir, session.branch);
  expect(
    commits.slice(0, 2).map(({ author, committer, subject }) => ({ author, committer, subject })),
  ).toEqual([
    {
      author: 'Bob Builder <bob@example.com>',
      committer: 'Night Shift Bot <night-bot@example.test>',
      subject: 'Add bob.txt',
    },
    {
      author: 'Alice Liddell <alice@example.com>',
      committer: 'Night Shift Bot <night-bot@example.test>',
      subject: 'Add alice.txt',
    },
  ]);
  expect(commits[2]!.sha).toBe(baseBefore);
  const [bobCommit, aliceCommit] = commits;
  // The whole prompt is the body; each commit holds only its own prompt's change.
  expect(git(originDir, 'log', '-1', '--format=%B', aliceCommit!.sha)).toBe(
    'Add alice.txt\n\nAdd alice.txt\n\nwith a greeting from Alice',
  );
  expect(git(originDir, 'show', '--name-only', '--format=', aliceCommit!.sha)).toBe('alice.txt');
  expect(git(originDir, 'show', '--name-only', '--format=', bobCommit!.sha)).toBe('bob.txt');
  expect(git(originDir, 'show', `${session.branch}:alice.txt`)).toBe('from alice');
  // The base branch is never touched.
  expect(git(originDir, 'rev-parse', 'refs/heads/main')).toBe(baseBefore);

  // Each commit is announced before its prompt completes; the branch once, on the first push.
  const events = await stack.events(session.id);
  const created = events.filter((e) => e.type === 'artifact_created');
  const commitArtifacts = created.filter((e) => (e.data as Artifact).type === 'commit');
  expect(commitArtifacts.map((e) => (e.data as Artifact).data)).toEqual([
    expect.objectContaining({
      sha: aliceCommit!.sha,
      branch: session.branch,
      author: alice,
      pushed: true,
      messageId: first.messageId,
    }),
    expect.objectContaining({
      sha: bobCommit!.sha,
      branch: session.branch,
      author: bob,
      pushed: true,
      messageId: second.messageId,
    }),
  ]);
  const completedSeq = (messageId: string) =>
    events.find(
      (e) => e.type === 'prompt_completed' && (e.data as { messageId: string }).messageId === messageId,
    )!.seq;
  expect(commitArtifacts[0]!.seq).toBeLessThan(completedSeq(first.messageId));
  expect(commitArtifacts[1]!.seq).toBeLessThan(completedSeq(second.messageId));
  const branchArtifacts = created.filter((e) => (e.data as Artifact).type === 'branch');
  expect(branchArtifacts.map((e) => (e.data as Artifact).data)).toEqual([
    expect.objectContaining({ branch: session.branch, sha: aliceCommit!.sha }),
  ]);
  expect((await stack.artifacts(session.id)).map((a) => a.id)).toEqual(
    created.map((e) => (e.data as Artifact).id),
  );
  return { session, events };
}

describe('attributed commits pushed to the origin', () => {
  it('pushes to a local repository given by path, never to its base branch', async () => {
    scriptWrite('notes.txt', 'one note\n', 'Noted.');
    const repo = makeRepo();
    const base = git(repo, 'rev-parse', 'main');
    const session = await stack.createSession(repo);
    const accepted = await stack.prompt(session.id, 'Write a note', alice);
    expect(await stack.waitForPromptEnd(session.id, accepted.messageId)).toMatchObject({
      status: 'completed',
    });
    const [commit] = commitsOn(repo, session.branch);
    expect(commit).toMatchObject({
      author: 'Alice Liddell <alice@example.com>',
      committer: 'Night Shift Bot <night-bot@example.test>',
      subject: 'Write a note',
    });
    expect(git(repo, 'show', `${session.branch}:notes.txt`)).toBe('one note');
    expect(git(repo, 'rev-parse', 'main')).toBe(base);
    expect(git(repo, 'branch', '--list', '--format=%(refname:short)').split('\n').sort()).toEqual(
      [session.branch, 'main'].sort(),
    );
  }, 120_000);

  it('commits two authors’ queued prompts in order and pushes them to a file:// origin', async () => {
    const repo = makeRepo();
    await twoAuthorsOn(pathToFileURL(repo).href, repo);
  }, 180_000);

  it('pushes over HTTP with the credentials from the URL, which never show', async () => {
    const bare = await createBareRepo(gitRoot, 'app');
    const url = gitServer.repoUrl(path.basename(bare), { credentials: true });
    expect(url).toContain(GIT_PASSWORD);
    const { session } = await twoAuthorsOn(url, bare);

    // The pushes really went through the HTTP server, authenticated.
    const pushes = gitServer.requests.filter((r) => r.path.endsWith('/git-receive-pack'));
    expect(pushes.length).toBe(2);
    expect(pushes.every((r) => r.status === 200 && r.user === GIT_USER)).toBe(true);

    // Nothing a client can read — nor the server's log — holds the password.
    const everything = JSON.stringify([
      await stack.session(session.id),
      (await stack.server.api('GET', '/api/sessions')).body,
      await stack.messages(session.id),
      await stack.artifacts(session.id),
      await stack.events(session.id),
      logLines,
    ]);
    expect(logLines.some((line) => line.includes(session.id))).toBe(true); // the log was captured
    expect(everything).toContain(gitServer.url.replace('http://', '')); // the origin itself does show
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  }, 180_000);
});

describe('the timeline of a prompt', () => {
  it('shows sandbox phases, then text deltas, a tool call and steps in order, with no gaps', async () => {
    const reply = ['The ', 'greeting ', 'was ', 'printed ', 'to the ', 'terminal.'];
    stack.model.push(
      toolCall('bash', { command: 'echo tool-says-hello', description: 'Print a greeting' }),
      text(reply, { chunkDelayMs: 100 }),
    );
    const session = await stack.createSession(makeRepo());
    const accepted = await stack.prompt(session.id, 'Print a greeting', alice);
    expect(await stack.waitForPromptEnd(session.id, accepted.messageId)).toMatchObject({
      status: 'completed',
    });
    const events = await stack.events(session.id);
    expectContiguous(events);

    const index = (match: (e: SessionEvent) => boolean) => events.findIndex(match);
    const spawning = index((e) => e.type === 'sandbox_spawning');
    const ready = index((e) => e.type === 'sandbox_ready');
    const completed = index((e) => e.type === 'prompt_completed');
    expect(events[spawning]!.data).toEqual({ mode: 'fresh' });
    expect(spawning).toBeGreaterThan(index((e) => e.type === 'prompt_started'));

    // Every start phase between spawning and ready, each with how long it took.
    const phases = events
      .slice(spawning + 1, ready)
      .filter((e) => e.type === 'sandbox_status')
      .map((e) => e.data as { status: string; phase?: string; durationMs?: number });
    expect(phases.map((p) => [p.status, p.phase])).toEqual([
      ['syncing', 'clone'],
      ['starting', 'opencode'],
    ]);
    for (const p of phases) expect(p.durationMs).toEqual(expect.any(Number));
    expect((events[ready]!.data as { durationMs: number }).durationMs).toBeGreaterThan(0);

    // Agent activity only after ready and before the prompt completes.
    const activityIdx = events.map((e, i) => (e.type === 'sandbox_event' ? i : -1)).filter((i) => i >= 0);
    expect(activityIdx.length).toBeGreaterThan(0);
    expect(activityIdx[0]).toBeGreaterThan(ready);
    expect(activityIdx.at(-1)).toBeLessThan(completed);
    // The model calls the proxy booked for this prompt ride on its completion.
    expect(events[completed]!.data).toEqual({
      messageId: accepted.messageId,
      outcome: 'completed',
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), costUsd: 0 },
    });
    expect(
      (events[completed]!.data as { usage: { outputTokens: number } }).usage.outputTokens,
    ).toBeGreaterThan(0);

    const activity = activityOf(events, accepted.messageId);
    expect(activity.length).toBe(activityIdx.length);
    const at = (match: (a: AgentActivity) => boolean) => activity.findIndex(match);

    // The tool call goes pending → running → completed, with its input and output.
    const tools = activity.filter((a) => a.kind === 'tool');
    expect(new Set(tools.map((t) => t.callId)).size).toBe(1);
    expect(tools.map((t) => t.tool)).toEqual(tools.map(() => 'bash'));
    const statuses = tools.map((t) => t.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['pending', 'running', 'completed']);
    const done = tools.find((t) => t.status === 'completed')!;
    expect(done.input).toMatchObject({ command: 'echo tool-says-hello' });
    expect(done.output).toContain('tool-says-hello');

    // The reply streams as deltas that add up to exactly what the model said, after the tool.
    const deltas = activity.filter((a) => a.kind === 'text');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.delta).join('')).toBe(reply.join(''));
    const toolDone = at((a) => a.kind === 'tool' && a.status === 'completed');
    const firstText = at((a) => a.kind === 'text');
    expect(firstText).toBeGreaterThan(toolDone);

    // One step per model call: the tool step before the reply, the reply's step at the end.
    const steps = activity.map((a, i) => (a.kind === 'step' ? i : -1)).filter((i) => i >= 0);
    expect(steps.length).toBe(2);
    expect(steps[0]).toBeGreaterThan(at((a) => a.kind === 'tool'));
    expect(steps[0]).toBeLessThan(firstText);
    expect(steps[1]).toBeGreaterThan(activity.findLastIndex((a) => a.kind === 'text'));
    const lastStep = activity[steps[1]!] as Extract<AgentActivity, { kind: 'step' }>;
    expect(lastStep.tokens).toMatchObject({ input: expect.any(Number), output: expect.any(Number) });
  }, 120_000);
});
