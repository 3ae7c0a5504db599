import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, PullRequest, RepoList, Session } from '@nightshift/protocol';
import { startGitHubServer, type GitHubServer } from '@nightshift/testkit';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { githubTeamSettings } from './support/sign-in-providers.js';
import { pushCommit } from './support/github-commits.js';

const ADA = { name: 'Ada', email: 'ada@example.com' };

let github: GitHubServer;
let server: TestServer;

beforeAll(async () => {
  github = await startGitHubServer({
    users: [{ id: 1, login: 'ada', name: 'Ada', email: 'ada@example.com' }],
  });
  const app = github.createApp({ slug: 'nightshift-test' });
  await github.createRepo({ owner: 'acme', name: 'app', description: 'The app', private: true });
  await github.createRepo({ owner: 'acme', name: 'other' });
  await github.createRepo({ owner: 'acme', name: 'not-installed' });
  github.installApp({ owner: 'acme', repos: ['app', 'other'] });
  server = await startTestServer({
    runner: new ScriptedRunner(),
    ...githubTeamSettings(github, app),
  });
});
afterAll(async () => {
  await server?.stopAndClean();
  await github?.close();
});

type Failure = { error: { code: string; message: string; details?: Record<string, unknown> } };

describe('GitHub repositories', () => {
  it('accepts owner/name of an installed repository, stored as its clone URL on the GitHub server', async () => {
    const res = await server.api<Session>('POST', '/api/sessions', { repo: 'acme/app' });
    expect(res.status).toBe(201);
    expect(res.body.repo).toBe(`${github.url}/acme/app.git`);
    expect(res.body.baseBranch).toBe('main');
  });

  it('keys a secret set for owner/name as the repository its sessions use', async () => {
    const put = await server.api<{ repo: string }>('PUT', '/api/secrets/APP_TOKEN', {
      value: 'abcdef123',
      repo: 'acme/app',
    });
    expect(put.status).toBe(200);
    expect(put.body.repo).toBe(`${github.url}/acme/app`);
    const session = await server.api<Session>('POST', '/api/sessions', { repo: 'acme/app' });
    const listed = await server.api<{ secrets: { name: string }[] }>(
      'GET',
      `/api/secrets?repo=${encodeURIComponent(session.body.repo)}`,
    );
    expect(listed.body.secrets.map((s) => s.name)).toEqual(['APP_TOKEN']);
  });

  it('refuses owner/name the App is not installed on with 422 saying where to install it', async () => {
    const res = await server.api<Failure>('POST', '/api/sessions', { repo: 'acme/not-installed' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('github_not_installed');
    expect(res.body.error.message).toContain(`${github.url}/apps/nightshift-test/installations/new`);
  });

  it('lists the installed repositories in GET /api/repos', async () => {
    const res = await server.api<RepoList>('GET', '/api/repos');
    expect(res.status).toBe(200);
    expect(res.body.repos.map((r) => r.repo)).toEqual(['acme/app', 'acme/other']);
    expect(res.body.repos[0]).toMatchObject({ baseBranch: 'main', description: 'The app', private: true });
  });
});

describe('POST /api/sessions/:id/pull-request', () => {
  it('answers 409 no_commits_ahead before the session branch has anything new', async () => {
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: 'acme/app' })).body;
    const res = await server.api<Failure>('POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('no_commits_ahead');
    expect(github.pulls('acme', 'app')).toHaveLength(0);
  });

  it('opens it by the App, saying who asked and linking the session; again answers 200 with the same one', async () => {
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: 'acme/app' })).body;
    pushCommit(github.repoDir('acme', 'app'), session.branch, 'CHANGE.md', ADA);
    const res = await server.api<PullRequest>('POST', `/api/sessions/${session.id}/pull-request`, {
      draft: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'open' });
    const [pull] = github.pulls('acme', 'app').filter((p) => p.number === res.body.number);
    expect(pull).toBeDefined();
    expect(JSON.stringify(pull)).toContain('Requested by');
    expect(JSON.stringify(pull)).toContain(`/sessions/${session.id}`);

    const again = await server.api<PullRequest>('POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(again.status).toBe(200);
    expect(again.body.number).toBe(res.body.number);
    expect(github.pulls('acme', 'app').filter((p) => p.number === res.body.number)).toHaveLength(1);

    const artifacts = (
      await server.api<{ artifacts: Artifact[] }>('GET', `/api/sessions/${session.id}/artifacts`)
    ).body.artifacts;
    expect(artifacts.filter((a) => a.type === 'pull_request')).toMatchObject([
      { url: res.body.url, data: { number: res.body.number, state: 'open' } },
    ]);
  });

  it('refuses bad input naming the field, opening nothing', async () => {
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: 'acme/other' })).body;
    pushCommit(github.repoDir('acme', 'other'), session.branch, 'CHANGE.md', ADA);
    for (const [body, field] of [
      [{ draft: 'yes' }, 'draft'],
      [{ title: 'x'.repeat(300) }, 'title'],
    ] as const) {
      const res = await server.api<Failure>('POST', `/api/sessions/${session.id}/pull-request`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
    expect(github.pulls('acme', 'other')).toHaveLength(0);
  });
});
