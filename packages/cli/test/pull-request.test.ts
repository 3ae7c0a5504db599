import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@nightshift/protocol';
import { startGitHubServer, type GitHubServer } from '@nightshift/testkit';
import { startServer, type RunningServer } from '@nightshift/server';
import { signIn } from '../../server/test/support/sign-in.js';
import { runCli, tempDir, type CliResult } from './support/cli.js';
import { removeDir } from './support/server.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const ADA = { login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' };
const OWNER = 'acme';
const NAME = 'app';

function oneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
}

/**
 * `nightshift new owner/name` and `nightshift pr` against a team-mode server signed in with
 * GitHub (the testkit GitHub: OAuth, REST, git over HTTP) and its GitHub App: the pull request is
 * opened as the person, from the session's branch, and every refusal is one line saying what to do.
 */
describe('nightshift pr against a GitHub-backed team-mode server', () => {
  let github: GitHubServer;
  let server: RunningServer;
  let url: string;
  let dataDir: string;
  let configHome: string;
  let work: string;
  let token = '';
  const printed: string[] = [];

  const cli = async (args: string[]): Promise<CliResult> => {
    const r = await runCli(args, {
      env: { NIGHTSHIFT_URL: url, NIGHTSHIFT_TOKEN: token, XDG_CONFIG_HOME: configHome },
      cwd: work,
    });
    printed.push(r.stdout, r.stderr);
    return r;
  };

  /** What the agent's push leaves: one commit by the prompter on the session's branch. */
  function pushToBranch(branch: string, file: string): void {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: work,
        stdio: 'pipe',
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
      });
    git('checkout', '-q', '-B', branch, 'origin/main');
    writeFileSync(path.join(work, file), `${file}\n`);
    git('add', file);
    git('-c', `user.name=${ADA.name}`, '-c', `user.email=${ADA.email}`, 'commit', '-q', '-m', `Add ${file}`);
    git('push', '-q', 'origin', `${branch}:refs/heads/${branch}`);
  }

  async function newSession(): Promise<Session> {
    const r = await cli(['new', `${OWNER}/${NAME}`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Session;
  }

  beforeAll(async () => {
    github = await startGitHubServer({ users: [ADA] });
    const app = github.createApp({ slug: 'nightshift-cli' });
    await github.createRepo({
      owner: OWNER,
      name: NAME,
      defaultBranch: 'main',
      files: { 'README.md': '# app\n' },
    });
    github.installApp({ owner: OWNER, repos: [NAME] });
    dataDir = tempDir('ns-cli-gh-');
    configHome = tempDir('ns-cli-gh-config-');
    work = tempDir('ns-cli-gh-work-');
    execFileSync('git', ['clone', '-q', github.repoDir(OWNER, NAME), work], { stdio: 'pipe' });
    server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      model: 'scripted/agent',
      killSandboxesOnClose: true,
      runner: new ScriptedAgent(),
      github: { appId: app.id, privateKey: app.privateKey, webhookSecret: app.webhookSecret },
      auth: {
        mode: 'github',
        github: {
          clientId: github.clientId,
          clientSecret: github.clientSecret,
          apiUrl: github.apiUrl,
          webUrl: github.url,
        },
        allow: { emails: [ADA.email], domains: [], githubOrgs: [] },
        admins: [],
      },
    });
    url = server.url;
    const { cookie } = await signIn(url, { via: 'github', github, login: ADA.login });
    const res = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: { cookie, origin: url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli pr test' }),
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await server?.close();
    await github?.close();
    for (const dir of [dataDir, configHome, work]) if (dir) removeDir(dir);
    for (const text of printed) expect(text).not.toContain(token);
  });

  it('`new` takes owner/name of an installed repository', async () => {
    const session = await newSession();
    // The server keeps the repository it resolved: the installed one's clone address.
    expect(session.repo).toMatch(new RegExp(`(^|/)${OWNER}/${NAME}(\\.git)?$`));
    expect(session.baseBranch).toBe('main');
  });

  it('refuses a branch with nothing on it in one line that says what to do, and opens nothing', async () => {
    const session = await newSession();
    const r = await cli(['pr', session.id]);
    expect(r.code).toBe(5);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^nightshift: .*no commits ahead of main/);
    expect(r.stdout).toBe('');
    expect(github.pulls(OWNER, NAME)).toEqual([]);
  });

  it('opens the pull request as the person, from the session branch, as asked; again shows the same one', async () => {
    const session = await newSession();
    pushToBranch(session.branch, 'FEATURE.md');
    const r = await cli(['pr', session.id, '--draft', '--title', 'Add the feature', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { number: number; url: string; state: string };
    expect(answer.state).toBe('open');
    const pull = github.pulls(OWNER, NAME).find((p) => p.number === answer.number)!;
    expect(pull).toMatchObject({ title: 'Add the feature', draft: true });
    expect(pull.author.login).toBe(ADA.login);
    expect(pull.head).toBe(session.branch);
    expect(answer.url).toContain(`/${OWNER}/${NAME}/pull/${answer.number}`);

    const again = await cli(['pr', session.id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`pull request #${answer.number} (open): ${answer.url}\n`);
    expect(github.pulls(OWNER, NAME).filter((p) => p.head === session.branch)).toHaveLength(1);
  });

  it('a GitHub sign-in GitHub no longer accepts: one line with where to sign in again, exit 9', async () => {
    const session = await newSession();
    pushToBranch(session.branch, 'LATER.md');
    // Ada revokes the app's access on GitHub: every token GitHub gave it for her stops working.
    for (const [value, t] of github.state.tokens)
      if (t.login === ADA.login) github.state.tokens.delete(value);
    const r = await cli(['pr', session.id]);
    expect(r.code).toBe(9);
    oneLine(r.stderr);
    expect(r.stderr).toContain('sign in with GitHub again');
    expect(r.stderr).toContain(`${url}/api/auth/login?returnTo=`);
    expect(r.stderr).toContain(`nightshift pr ${session.id}`);
    expect(github.pulls(OWNER, NAME).some((p) => p.head === session.branch)).toBe(false);
  });
});
