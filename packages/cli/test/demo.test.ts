import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepServerRunning, planDemoServer } from '../src/demo/plan.js';
import { BIN, CliProcess, cleanEnv, runCli } from './support/cli.js';
import { removeDir, startTestServer } from './support/server.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
}

/** The demo directory (repo, data, log) the run printed, so the test can look inside and clean up. */
function demoRepo(stdout: string): string {
  const match = /repo +(\/\S+nightshift-demo-\w+\/repo)/.exec(stdout);
  if (!match) throw new Error(`no demo repo in the output:\n${stdout}`);
  return match[1]!;
}

describe('nightshift demo: where it runs and whether it stays up (pure)', () => {
  it('takes the wanted port when free, and a free one beside a running server or another program', () => {
    expect(planDemoServer('free', 'http://127.0.0.1:7070', 7070)).toEqual({ port: 7070 });
    const beside = planDemoServer('nightshift', 'http://127.0.0.1:7070', 7070);
    expect(beside.port).toBe(0);
    expect(beside.notice).toContain('already running at http://127.0.0.1:7070');
    expect(beside.notice).toContain('leaves yours alone');
    expect(planDemoServer('other', 'http://127.0.0.1:7070', 7070)).toMatchObject({ port: 0 });
  });

  it('keeps the server up only on a terminal without --exit', () => {
    expect(keepServerRunning(true, false)).toBe(true);
    expect(keepServerRunning(true, true)).toBe(false);
    expect(keepServerRunning(false, false)).toBe(false);
  });
});

describe('nightshift demo (subprocess, real sandbox and OpenCode)', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('--help says it is a scripted demo model, not an AI, and how it ends', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: nightshift demo [prompt] [options]');
    expect(r.stdout).toContain('NOT an AI');
    expect(r.stdout).toContain('--exit');
    expect(r.stdout).toContain('Ctrl-C');
  });

  it('a bad --port is a usage error, before anything starts', async () => {
    const r = await runCli(['demo', '--port', 'seventy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port: must be a whole number');
  });

  it('beside a running server: runs a whole session on its own server and ends with the branch, the commit and the web URL', async () => {
    // A user's own server on the wanted port: the demo must leave it alone.
    const mine = await startTestServer();
    cleanup.push(async () => {
      await mine.close();
      removeDir(mine.dataDir);
    });
    const demo = new CliProcess([
      'demo',
      '--port',
      String(mine.port),
      '--author',
      'Ada Lovelace <ada@example.com>',
      'Add a greeting for Grace',
    ]);
    cleanup.push(async () => void (await demo.stop('SIGKILL')));
    // Not a terminal: it exits by itself once the session is done.
    const code = await demo.exit();
    const out = demo.stdout;
    expect(code, `stdout:\n${out}\nstderr:\n${demo.stderr}`).toBe(0);
    const repo = demoRepo(out);
    cleanup.push(() => removeDir(path.dirname(repo)));

    expect(out).toContain('scripted demo model');
    expect(out).toContain('It is not an AI');
    expect(out).toContain(`A Nightshift server is already running at ${mine.url}`);
    // The live timeline: sandbox phases, the tool call, the streamed reply, the commit.
    expect(out).toMatch(/sandbox ready in/);
    expect(out).toMatch(/✓ write NIGHTSHIFT_DEMO\.md/);
    expect(out).toContain(
      "Done: I wrote NIGHTSHIFT_DEMO.md with your prompt in it. (This reply comes from Nightshift's scripted demo model, not an AI.)",
    );
    expect(out).toMatch(/✓ prompt msg_\w+ completed/);

    const branch = /branch +(nightshift\/\S+)\n/.exec(out)?.[1];
    const sha = /commit +([0-9a-f]{40}) /.exec(out)?.[1];
    const web = /web +(http:\/\/127\.0\.0\.1:(\d+)\/sessions\/(ses_\w+))/.exec(out);
    expect(branch).toBeDefined();
    expect(sha).toBeDefined();
    expect(web).not.toBeNull();
    expect(Number(web![2])).not.toBe(mine.port);
    expect(out).toContain('author    Ada Lovelace <ada@example.com>');
    expect(out).toContain('The server is stopping now (output is not a terminal)');

    // The commit is really on the branch of the demo repository, by the prompt's author.
    expect(git(repo, 'rev-parse', `refs/heads/${branch}`)).toBe(sha);
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', sha!)).toBe(
      'Ada Lovelace <ada@example.com>|Nightshift <bot@nightshift.local>',
    );
    expect(git(repo, 'show', `${sha}:NIGHTSHIFT_DEMO.md`)).toContain('Add a greeting for Grace');
    // The README the demo seeded is there underneath.
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toContain('nightshift demo');

    // The user's server saw none of it, and the demo's own server is gone.
    expect((await (await fetch(`${mine.url}/api/sessions`)).json()) as unknown).toMatchObject({
      sessions: [],
    });
    await expect(fetch(`http://127.0.0.1:${web![2]}/api/health`)).rejects.toThrow();
  }, 240_000);

  it('on a terminal: keeps the server up with the session to open until Ctrl-C', async () => {
    // `script` gives the demo a real terminal; Ctrl-C is typed into it.
    const child = spawn(
      'script',
      [
        '-qfec',
        // `exec`: a shell that stayed as the parent would itself die of the Ctrl-C (dash does not exec).
        `exec ${process.execPath} ${BIN} demo --port 0 --author "Grace Hopper <grace@example.com>"`,
        '/dev/null',
      ],
      { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let raw = '';
    child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    child.stderr.on('data', (d: Buffer) => (raw += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    cleanup.push(() => void child.kill('SIGKILL'));
    const text = () => raw.replace(ANSI, '').replace(/\r/g, '');
    const deadline = Date.now() + 200_000;
    while (!/Press Ctrl-C to stop it/.test(text())) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`demo did not wait:\n${text()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const out = text();
    cleanup.push(() => removeDir(path.dirname(demoRepo(out))));
    const web = /web +(http:\/\/127\.0\.0\.1:\d+)\/sessions\/(ses_\w+)/.exec(out);
    expect(web).not.toBeNull();
    // The session is there to be opened while the demo waits.
    const session = (await (await fetch(`${web![1]}/api/sessions/${web![2]}`)).json()) as { id: string };
    expect(session.id).toBe(web![2]);

    child.stdin.write('\x03');
    expect(await exited).toBe(0);
    expect(text()).toContain('stopping the demo server');
    await expect(fetch(`${web![1]}/api/health`)).rejects.toThrow();
  }, 240_000);
});
