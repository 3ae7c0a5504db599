// The whole loop with a real sandbox: a pull request a session opened gets `@nightshift also
// update the README` on GitHub; the agent (real OpenCode in bubblewrap, scripted model) runs it
// as the commenter's prompt, the commit lands on the pull request's head on the testkit GitHub,
// and the App replies with the outcome.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubServer, text, toolCall, type CreatedApp, type GitHubServer } from '@nightshift/testkit';
import { startAgentStack, type AgentStack } from './support/agent-stack.js';
import { eventually } from './support/harness.js';
import { githubTeamSettings } from './support/sign-in-providers.js';
import { signIn } from './support/sign-in.js';
import { asBrowser } from './support/team-server.js';

const ADA = { login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' };

let github: GitHubServer;
let app: CreatedApp;
let stack: AgentStack;
let cookie: string;

beforeAll(async () => {
  github = await startGitHubServer({ users: [ADA] });
  app = github.createApp({ slug: 'nightshift' });
  await github.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# Widgets\n' } });
  github.installApp({ owner: 'acme', repos: ['widgets'] });
  stack = await startAgentStack({
    server: {
      ...githubTeamSettings(github, app, [ADA.email]),
    },
  });
  github.setWebhookUrl(`${stack.server.url}/api/github/webhook`);
  cookie = (await signIn(stack.server.url, { via: 'github', github, login: 'ada' })).cookie;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await github?.close();
});

const commitsOnBranch = (branch: string) =>
  execFileSync('git', ['log', '--format=%an <%ae>|%s', `refs/heads/${branch}`], {
    cwd: github.repoDir('acme', 'widgets'),
    encoding: 'utf8',
  })
    .trim()
    .split('\n');

const promptsDone = async (sessionId: string, count: number) => {
  const messages = await stack.server.store.messages.list(sessionId);
  return messages.length === count && messages.every((m) => m.status === 'completed');
};

describe('a comment on the pull request runs as a prompt in a real sandbox', () => {
  it('the pull request gets the new commit, authored by the commenter, and the App replies with the outcome', async () => {
    const created = await asBrowser(stack.server, cookie, 'POST', '/api/sessions', { repo: 'acme/widgets' });
    expect(created.status).toBe(201);
    const session = created.body as { id: string; branch: string };

    stack.model.push(
      toolCall('write', { filePath: 'CHANGES.md', content: 'first\n' }),
      text('Added CHANGES.md.'),
    );
    await asBrowser(stack.server, cookie, 'POST', `/api/sessions/${session.id}/prompts`, {
      text: 'Add CHANGES.md',
    });
    await eventually(() => promptsDone(session.id, 1), 120_000);

    const opened = await asBrowser(
      stack.server,
      cookie,
      'POST',
      `/api/sessions/${session.id}/pull-request`,
      {},
    );
    expect(opened.status).toBe(201);
    const { number } = opened.body as { number: number };
    const before = commitsOnBranch(session.branch).length;

    stack.model.push(
      toolCall('write', { filePath: 'README.md', content: '# Widgets\n\nNow documented.\n' }),
      text('Updated the README.'),
    );
    await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue: number,
      body: '@nightshift also update the README',
      by: 'ada',
    });

    const bot = () =>
      github.comments('acme', 'widgets', number).filter((c) => c.author.login === 'nightshift[bot]');
    await eventually(() => bot().length >= 2, 120_000);
    expect(bot()[1]!.body).toContain('this pull request has the new commits');

    const commits = commitsOnBranch(session.branch);
    expect(commits.length).toBe(before + 1);
    expect(commits[0]).toMatch(/^Ada Lovelace <ada@acme\.test>\|/);
    const [pr] = github.pulls('acme', 'widgets').filter((p) => p.number === number);
    expect(pr).toBeDefined();
    const prompts = await stack.server.store.messages.list(session.id);
    expect(prompts.at(-1)).toMatchObject({ text: 'also update the README', author: { email: ADA.email } });
  }, 300_000);
});
