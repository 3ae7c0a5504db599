// A real sandbox (bubblewrap, OpenCode, scripted model) on an installed `owner/name` of the
// testkit GitHub: it clones and pushes through the control plane's mirror, which alone holds the
// App's installation tokens, so nothing in the sandbox is a GitHub credential; a token reaches
// only its one repository; a protected branch's refusal reaches the timeline saying what to do.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@nightshift/protocol';
import { startGitHubServer, type GitHubServer } from '@nightshift/testkit';
import { startShellStack, type ShellStack } from './support/agent-shell.js';
import { githubTeamSettings } from './support/sign-in-providers.js';

let github: GitHubServer;
let stack: ShellStack;

beforeAll(async () => {
  github = await startGitHubServer({
    users: [{ login: 'ada', id: 101, name: 'Ada', email: 'ada@acme.test' }],
  });
  const app = github.createApp({ slug: 'nightshift-test' });
  await github.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# Widgets\n' } });
  await github.createRepo({ owner: 'acme', name: 'gadgets' });
  github.installApp({ owner: 'acme', repos: ['widgets', 'gadgets'] });
  stack = await startShellStack({
    ...githubTeamSettings(github, app),
  });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await github?.close();
});

const branchLog = (name: string, branch: string) =>
  execFileSync('git', ['log', '--format=%an <%ae>|%s', `refs/heads/${branch}`], {
    cwd: github.repoDir('acme', name),
    encoding: 'utf8',
  }).trim();

async function newSession(repo: string): Promise<Session> {
  const created = await stack.server.api<Session>('POST', '/api/sessions', { repo });
  expect(created.status).toBe(201);
  return created.body;
}

// Prefixes only, and written so the pattern's own text (which OpenCode keeps in /state with the
// command) does not match it.
const CREDENTIAL = `'gh[osu]_[A-Za-z0-9]|BEGIN (RSA )?PRIVATE KEY'`;

describe('the sandbox never holds a GitHub credential', () => {
  it('clones and pushes an installed repository through the mirror; no token or key in any environment, .git/config or the state dir', async () => {
    const session = await newSession('acme/widgets');
    const output = await stack.agentRuns(
      session.id,
      [
        'test -f README.md && echo cloned',
        'echo probe > probe.txt',
        `echo environ: $(grep -l -a -E ${CREDENTIAL} /proc/*/environ 2>/dev/null | wc -l)`,
        `echo gitconfig: $(grep -c -a -E ${CREDENTIAL} .git/config)`,
        `echo state: $(grep -r -l -a -E ${CREDENTIAL} /state 2>/dev/null | wc -l) $(grep -r -l -a -E ${CREDENTIAL} /state 2>/dev/null)`,
        `echo readable: $(ls /proc/*/environ 2>/dev/null | wc -l)`,
      ].join('; '),
    );
    expect(output).toContain('cloned');
    expect(output).toMatch(/environ: 0\b/);
    expect(output).toMatch(/gitconfig: 0\b/);
    expect(output).toMatch(/state: 0\b/);
    expect(Number(/readable: (\d+)/.exec(output)?.[1])).toBeGreaterThan(1);

    const [prompt] = await stack.server.store.messages.list(session.id);
    expect(branchLog('widgets', session.branch).split('\n')[0]).toBe(
      `${prompt!.author.name} <${prompt!.author.email}>|Run this ${prompt!.text.slice('Run this '.length)}`,
    );
  });

  it('mints tokens scoped to one repository, and a fresh one once they expire', async () => {
    const session = await newSession('acme/widgets');
    await stack.agentRuns(session.id, 'echo one > one.txt');
    const tokens = [...github.state.installationTokens.values()];
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect([...t.repos]).toHaveLength(1);
      expect(t.expiresAt - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    }
    const widgetsToken = tokens.find((t) => t.repos.has('acme/widgets'))!.token;
    const refused = await fetch(`${github.url}/acme/gadgets.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`x-access-token:${widgetsToken}`).toString('base64')}` },
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    github.expireTokens();
    await stack.agentRuns(session.id, 'echo two > two.txt');
    expect(branchLog('widgets', session.branch).split('\n')).toHaveLength(3);
  });
});

describe('a protected branch', () => {
  it('fails the prompt with a message saying the branch is protected and what to do', async () => {
    const session = await newSession('acme/gadgets');
    await github.branchProtection('acme', 'gadgets', session.branch);
    const messageId = await stack.promptRunning(session.id, 'echo change > change.txt');
    const done = await stack.api.waitForPromptEnd(session.id, messageId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/protected/i);
    expect(done.error).toContain('start a new session');
    expect(() => branchLog('gadgets', session.branch)).toThrow();
  });
});
