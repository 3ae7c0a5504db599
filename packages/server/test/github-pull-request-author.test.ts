// Who a session's pull request is by: the person who asks, with the GitHub token they signed in
// with (sealed at rest, never shown), or the App naming them once GitHub no longer takes theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullRequest, Session } from '@nightshift/protocol';
import { startGitHubServer, type GitHubServer } from '@nightshift/testkit';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { githubTeamSettings } from './support/sign-in-providers.js';
import { pushCommit } from './support/github-commits.js';
import { signIn } from './support/sign-in.js';
import { asBrowser } from './support/team-server.js';

const ADA = { login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' };

let github: GitHubServer;
let server: TestServer;
let cookie: string;

beforeAll(async () => {
  github = await startGitHubServer({ users: [ADA] });
  const app = github.createApp({ slug: 'nightshift-test' });
  await github.createRepo({ owner: 'acme', name: 'app' });
  github.installApp({ owner: 'acme', repos: ['app'] });
  server = await startTestServer({
    runner: new ScriptedRunner(),
    ...githubTeamSettings(github, app, [ADA.email]),
  });
  cookie = (await signIn(server.url, { via: 'github', github, login: 'ada' })).cookie;
});
afterAll(async () => {
  await server?.stopAndClean();
  await github?.close();
});

type Failure = { error: { code: string; message: string } };

const adasGitHubTokens = () => [...github.state.tokens.values()].filter((t) => t.login === 'ada');

async function sessionWithACommit(): Promise<Session> {
  const created = await asBrowser(server, cookie, 'POST', '/api/sessions', { repo: 'acme/app' });
  expect(created.status).toBe(201);
  const session = created.body as Session;
  pushCommit(github.repoDir('acme', 'app'), session.branch, `${session.id}.md`, ADA);
  return session;
}

const pullOf = (number: number) => github.pulls('acme', 'app').find((p) => p.number === number)!;

describe('pull requests opened as the person who asks', () => {
  it('opens it with her GitHub token, so she is its author on GitHub; the token is sealed and shown nowhere', async () => {
    const session = await sessionWithACommit();
    const res = await asBrowser(server, cookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(res.status).toBe(201);
    const pull = pullOf((res.body as PullRequest).number);
    expect(pull.author).toMatchObject({ login: 'ada', type: 'User' });
    expect(pull.body).toContain(`Requested by ${ADA.name}`);
    expect(pull.body).not.toContain(ADA.email);

    const [token] = adasGitHubTokens();
    expect(token).toBeDefined();
    const person = (await server.store.people.getByGithubLogin('ada'))!;
    const sealed = await server.store.people.sealedGithubToken(person.id);
    expect(sealed).toBeTruthy();
    expect(sealed).not.toContain(token!.token);
    const me = await asBrowser(server, cookie, 'GET', '/api/me');
    const events = await asBrowser(server, cookie, 'GET', `/api/sessions/${session.id}/events`);
    for (const answer of [me, res, events]) expect(JSON.stringify(answer.body)).not.toContain(token!.token);
  });

  it('answers 409 github_token_expired with where to sign in again when GitHub refuses her token, and forgets it; the App then opens it naming her', async () => {
    const session = await sessionWithACommit();
    for (const t of adasGitHubTokens()) github.state.tokens.delete(t.token);
    const before = github.pulls('acme', 'app').length;

    const refused = await asBrowser(server, cookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(refused.status).toBe(409);
    const failure = refused.body as Failure;
    expect(failure.error.code).toBe('github_token_expired');
    expect(failure.error.message).toContain('sign in with GitHub again');
    expect(failure.error.message).toContain(`${server.url}/api/auth/login`);
    expect(github.pulls('acme', 'app')).toHaveLength(before);
    const person = (await server.store.people.getByGithubLogin('ada'))!;
    expect(await server.store.people.sealedGithubToken(person.id)).toBeNull();

    const byApp = await asBrowser(server, cookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(byApp.status).toBe(201);
    const pull = pullOf((byApp.body as PullRequest).number);
    expect(pull.author).toMatchObject({ login: 'nightshift-test[bot]', type: 'Bot' });
    expect(pull.body).toContain(`Requested by ${ADA.name} <${ADA.email}>`);
    expect(pull.body).toContain(`/sessions/${session.id}`);
  });

  it('signing in with GitHub again gives her pull requests back to her', async () => {
    cookie = (await signIn(server.url, { via: 'github', github, login: 'ada' })).cookie;
    const session = await sessionWithACommit();
    const res = await asBrowser(server, cookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(res.status).toBe(201);
    expect(pullOf((res.body as PullRequest).number).author.login).toBe('ada');
  });
});
