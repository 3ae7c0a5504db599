import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Session } from '@nightshift/protocol';
import { runCli } from './support/cli.js';
import { AUTHOR, makeRepo, removeDir, startTestServer, type TestServer } from './support/server.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const UNREACHABLE = 'http://127.0.0.1:1';

function oneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
}

describe('client commands against a real server (no model configured)', () => {
  let t: TestServer;
  let repo: string;
  const cli = (...args: string[]) => runCli(args, { env: { NIGHTSHIFT_URL: t.url } });

  beforeAll(async () => {
    t = await startTestServer();
    repo = makeRepo();
  });
  afterAll(async () => {
    await t.close();
    removeDir(t.dataDir);
    removeDir(repo);
  });

  it('new creates a session from a relative path and prints its web URL', async () => {
    const r = await runCli(['new', '.', '--title', 'From the CLI'], {
      env: { NIGHTSHIFT_URL: t.url },
      cwd: repo,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /session (ses_\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`${t.url}/sessions/${id}`);
    expect(r.stdout).toContain('From the CLI');
    const session = await t.client.getSession(id);
    expect(session.repo).toBe(repo);
  });

  it('new --json prints the Session; a repo that is not git is refused with one line', async () => {
    const ok = await cli('new', repo, '--json', '--base', 'main');
    expect(ok.code).toBe(0);
    const session = JSON.parse(ok.stdout) as Session;
    expect(session.baseBranch).toBe('main');

    const bad = await cli('new', 'not a url');
    expect(bad.code).toBe(2);
    oneLine(bad.stderr);
    expect(bad.stderr).toMatch(/^nightshift: repo: must be a git URL/);
  });

  it('sessions lists active ones, --archived the archived ones, --json for scripts', async () => {
    const session = await t.client.createSession({ repo, title: 'to archive' });
    const archived = await cli('archive', session.id);
    expect(archived.code).toBe(0);
    expect(archived.stdout).toContain(`session ${session.id} is archived`);

    const list = await cli('sessions');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+STATUS\s+SANDBOX/);
    expect(list.stdout).not.toContain(session.id);

    const archivedList = await cli('sessions', '--archived', '--json');
    const ids = (JSON.parse(archivedList.stdout) as { sessions: Session[] }).sessions.map((s) => s.id);
    expect(ids).toContain(session.id);

    const refused = await cli('prompt', session.id, 'anything', '--author', AUTHOR);
    expect(refused.code).toBe(5);
    oneLine(refused.stderr);

    const back = await cli('unarchive', session.id, '--json');
    expect(back.code).toBe(0);
    expect((JSON.parse(back.stdout) as Session).status).not.toBe('archived');
  });

  it('prompt --wait follows the prompt and exits 1 when it fails (no model)', async () => {
    const session = await t.client.createSession({ repo });
    const r = await cli('prompt', session.id, 'fix everything', '--wait', '--author', AUTHOR);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('▶ Ada Lovelace: fix everything');
    expect(r.stdout).toMatch(/✗ prompt msg_\S+ failed: No model is configured/);

    const json = await cli('prompt', session.id, 'again', '--wait', '--json', '--author', AUTHOR);
    expect(json.code).toBe(1);
    const message = JSON.parse(json.stdout) as Message;
    expect(message.status).toBe('failed');
    expect(message.author).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com' });
  });

  it('prompt without --wait reports the queued message; the author comes from git when not given', async () => {
    const session = await t.client.createSession({ repo });
    const r = await runCli(['prompt', session.id, 'hello', '--json'], {
      env: {
        NIGHTSHIFT_URL: t.url,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_COUNT: '2',
        GIT_CONFIG_KEY_0: 'user.name',
        GIT_CONFIG_VALUE_0: 'Grace Hopper',
        GIT_CONFIG_KEY_1: 'user.email',
        GIT_CONFIG_VALUE_1: 'grace@example.com',
      },
    });
    expect(r.code).toBe(0);
    const accepted = JSON.parse(r.stdout) as { messageId: string; position: number };
    const messages = await t.client.messages(session.id);
    expect(messages.find((m) => m.id === accepted.messageId)?.author.name).toBe('Grace Hopper');
  });

  it('prompt with no author anywhere is a usage error that says how to set one', async () => {
    const session = await t.client.createSession({ repo });
    const r = await runCli(['prompt', session.id, 'hello'], {
      env: {
        NIGHTSHIFT_URL: t.url,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_SYSTEM: '/dev/null',
        HOME: '/nonexistent',
      },
    });
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('--author "Name <email>"');
  });

  it('unknown session: one line and exit 4, for every command that takes one', async () => {
    const runs: Array<Promise<{ args: string[]; r: Awaited<ReturnType<typeof cli>> }>> = [];
    for (const args of [
      ['prompt', 'ses_nope', 'hi', '--author', AUTHOR],
      ['tail', 'ses_nope'],
      ['stop', 'ses_nope'],
      ['cancel', 'ses_nope', 'msg_nope'],
      ['archive', 'ses_nope'],
      ['open', 'ses_nope'],
    ]) {
      runs.push(cli(...args).then((r) => ({ args, r })));
    }
    for (const { args, r } of await Promise.all(runs)) {
      expect(r.code, args.join(' ')).toBe(4);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/^nightshift: .*not found/);
    }
  });

  it('open prints the web URL; --json gives {url}', async () => {
    const session = await t.client.createSession({ repo });
    const r = await cli('open', session.id);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${t.url}/sessions/${session.id}`);
    const json = await cli('open', session.id, '--json');
    expect(JSON.parse(json.stdout)).toEqual({ url: `${t.url}/sessions/${session.id}` });
  });

  it('--server overrides NIGHTSHIFT_URL', async () => {
    const r = await runCli(['sessions', '--server', t.url], { env: { NIGHTSHIFT_URL: UNREACHABLE } });
    expect(r.code).toBe(0);
  });
});

describe('queue commands with a scripted agent behind the server', () => {
  let t: TestServer;
  let repo: string;
  const cli = (...args: string[]) => runCli(args, { env: { NIGHTSHIFT_URL: t.url } });

  beforeAll(async () => {
    t = await startTestServer({ runner: new ScriptedAgent(), model: 'scripted/agent' });
    repo = makeRepo();
  });
  afterAll(async () => {
    await t.close();
    removeDir(t.dataDir);
    removeDir(repo);
  });

  it('prompt --wait shows the agent at work and exits 0 when it completes', async () => {
    const session = await t.client.createSession({ repo });
    const r = await cli('prompt', session.id, 'write notes', '--wait', '--author', AUTHOR);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Looking at the repo.\n');
    expect(r.stdout).toContain('⚙ bash ls -la');
    expect(r.stdout).toContain('✓ bash ls -la');
    expect(r.stdout).toContain('● commit f00dfeedcafe Add notes (Ada Lovelace)');
    expect(r.stdout).toMatch(/✓ prompt msg_\S+ completed/);
  });

  it('cancel takes back a queued prompt; stop ends the running one; --wait reports each (exit 7, 6)', async () => {
    const session = await t.client.createSession({ repo });
    const author = { name: 'Ada Lovelace', email: 'ada@example.com' };
    await t.client.prompt(session.id, { text: 'hang around', author });
    const queued = await cli('prompt', session.id, 'later', '--json', '--author', AUTHOR);
    const { messageId, position } = JSON.parse(queued.stdout) as { messageId: string; position: number };
    expect(position).toBe(1);

    const waiting = cli('prompt', session.id, 'wait for me', '--wait', '--author', AUTHOR);
    const cancelled = await cli('cancel', session.id, messageId);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`prompt ${messageId} is cancelled`);
    const again = await cli('cancel', session.id, messageId);
    expect(again.code).toBe(5);
    oneLine(again.stderr);

    // The waited prompt is queued behind the hanging one; stopping with --clear-queue cancels it.
    await new Promise((r) => setTimeout(r, 1500));
    const stopped = await cli('stop', session.id, '--clear-queue');
    expect(stopped.code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(7);
    expect(waited.stdout).toMatch(/⊘ prompt msg_\S+ cancelled/);
  });

  it('a --wait on a prompt that gets stopped exits 6', async () => {
    const session = await t.client.createSession({ repo });
    const waiting = cli('prompt', session.id, 'hang here', '--wait', '--author', AUTHOR);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await cli('stop', session.id)).code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(6);
    expect(waited.stdout).toMatch(/■ prompt msg_\S+ stopped/);
  });
});

describe('server down', () => {
  it('every client command says so in one line and exits 3', async () => {
    const runs: Array<Promise<{ args: string[]; r: Awaited<ReturnType<typeof runCli>> }>> = [];
    for (const args of [
      ['sessions'],
      ['new', '/tmp'],
      ['prompt', 'ses_x', 'hi', '--author', AUTHOR],
      ['tail', 'ses_x'],
      ['stop', 'ses_x'],
      ['cancel', 'ses_x', 'msg_x'],
      ['archive', 'ses_x'],
      ['unarchive', 'ses_x'],
      ['open', 'ses_x'],
    ]) {
      runs.push(runCli([...args, '--server', UNREACHABLE]).then((r) => ({ args, r })));
    }
    for (const { args, r } of await Promise.all(runs)) {
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stderr).toBe(
        `nightshift: cannot reach the server at ${UNREACHABLE} (is \`nightshift up\` running?)\n`,
      );
    }
  });
});

describe('usage', () => {
  it('unknown commands, unknown options and missing arguments exit 2 with one line', async () => {
    for (const args of [
      ['frobnicate'],
      ['sessions', '--bogus'],
      ['prompt', 'ses_x'],
      ['tail', 'ses_x', '--after', 'x'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      oneLine(r.stderr);
    }
  });

  it('--help works on every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}(\w+) {2,}/gm)]
      .map((m) => m[1]!)
      .filter((n) => !/^\d$/.test(n));
    expect(names).toEqual(
      expect.arrayContaining([
        'up',
        'doctor',
        'sessions',
        'new',
        'prompt',
        'tail',
        'stop',
        'cancel',
        'archive',
        'unarchive',
        'open',
      ]),
    );
    const helps = await Promise.all(names.map((name) => runCli([name, '--help']).then((r) => ({ name, r }))));
    for (const { name, r } of helps) {
      expect(r.code, name).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: nightshift ${name}`));
    }
  });
});
