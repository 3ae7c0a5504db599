// Someone who signs in with OIDC links their GitHub account (GitHub's real OAuth web flow against
// the testkit GitHub), so the pull requests they ask for are theirs on GitHub; one GitHub account
// belongs to one person; unlinking hands pull requests back to the App.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Me, PullRequest, Session } from '@nightshift/protocol';
import { startGitHubServer, startOidcIssuer, type GitHubServer, type OidcIssuer } from '@nightshift/testkit';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { githubSettingsOf } from './support/sign-in-providers.js';
import { pushCommit } from './support/github-commits.js';
import { CookieJar, signIn } from './support/sign-in.js';
import { asBrowser } from './support/team-server.js';

const ADA = { name: 'Ada Lovelace', email: 'ada@acme.test' };
const BOB = { name: 'Bob Builder', email: 'bob@acme.test' };
const ADA_ON_GITHUB = { login: 'ada-gh', id: 201, name: 'Ada L.', email: 'ada@users.example' };

let issuer: OidcIssuer;
let github: GitHubServer;
let server: TestServer;
let ada: string;
let bob: string;

beforeAll(async () => {
  issuer = await startOidcIssuer({ accounts: [ADA, BOB] });
  github = await startGitHubServer({ users: [ADA_ON_GITHUB] });
  const app = github.createApp({ slug: 'nightshift-test' });
  await github.createRepo({ owner: 'acme', name: 'app' });
  github.installApp({ owner: 'acme', repos: ['app'] });
  server = await startTestServer({
    runner: new ScriptedRunner(),
    auth: {
      mode: 'oidc',
      oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
      github: githubSettingsOf(github),
      allow: { emails: [ADA.email, BOB.email], domains: [], githubOrgs: [] },
      admins: [],
      allowedRepos: [],
    },
    github: { appId: app.id, privateKey: app.privateKey, webhookSecret: app.webhookSecret },
  });
  ada = (await signIn(server.url, { via: 'oidc', issuer, email: ADA.email })).cookie;
  bob = (await signIn(server.url, { via: 'oidc', issuer, email: BOB.email })).cookie;
});
afterAll(async () => {
  await server?.stopAndClean();
  await github?.close();
  await issuer?.close();
});

/**
 * The browser's trip: our link route → GitHub's authorize page (choosing `login` there) → our
 * callback, with the session cookie; answers where it finally lands on this server.
 */
async function linkGitHub(cookie: string, login: string, returnTo = '/sessions'): Promise<URL> {
  const jar = new CookieJar();
  const origin = new URL(server.url);
  const [name = '', value = ''] = cookie.split('=');
  jar.set(origin, name, value);
  let url = new URL(`/api/auth/github/link?returnTo=${encodeURIComponent(returnTo)}`, origin);
  for (let hops = 0; hops < 10; hops++) {
    const response = await jar.fetch(url);
    if (response.status !== 302) {
      throw new Error(
        `unexpected ${response.status} at ${url.href}: ${(await response.text()).slice(0, 300)}`,
      );
    }
    const next = new URL(response.headers.get('location')!, url);
    if (next.origin === origin.origin && !next.pathname.startsWith('/api/auth/github/link')) return next;
    if (next.pathname.endsWith('/login/oauth/authorize')) next.searchParams.set('login', login);
    url = next;
  }
  throw new Error('too many redirects');
}

const me = async (cookie: string) => (await asBrowser(server, cookie, 'GET', '/api/me')).body as Me;

async function sessionWithACommit(cookie: string): Promise<Session> {
  const created = await asBrowser(server, cookie, 'POST', '/api/sessions', { repo: 'acme/app' });
  expect(created.status).toBe(201);
  const session = created.body as Session;
  pushCommit(github.repoDir('acme', 'app'), session.branch, `${session.id}.md`, ADA);
  return session;
}

async function pullRequestAuthor(cookie: string): Promise<string> {
  const session = await sessionWithACommit(cookie);
  const res = await asBrowser(server, cookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
  expect(res.status).toBe(201);
  const number = (res.body as PullRequest).number;
  return github.pulls('acme', 'app').find((p) => p.number === number)!.author.login;
}

describe('linking a GitHub account to an OIDC sign-in', () => {
  it('refuses the link route without a session cookie', async () => {
    const res = await fetch(`${server.url}/api/auth/github/link?returnTo=/`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(github.state.tokens.size).toBe(0);
  });

  it('before linking, her pull requests are opened by the App', async () => {
    expect((await me(ada)).person?.githubLogin).toBeNull();
    expect(await pullRequestAuthor(ada)).toBe('nightshift-test[bot]');
  });

  it('links her GitHub account: /api/me shows it, and her pull requests are authored by it; the token is shown nowhere', async () => {
    const landed = await linkGitHub(ada, ADA_ON_GITHUB.login, '/sessions?tab=mine');
    expect(`${landed.pathname}${landed.search}`).toBe('/sessions?tab=mine');
    const answer = await me(ada);
    expect(answer.person?.githubLogin).toBe(ADA_ON_GITHUB.login);
    expect(await pullRequestAuthor(ada)).toBe(ADA_ON_GITHUB.login);

    const tokens = [...github.state.tokens.values()].filter((t) => t.login === ADA_ON_GITHUB.login);
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(JSON.stringify(answer)).not.toContain(t.token);
  });

  it('keeps the link when she signs in with OIDC again', async () => {
    ada = (await signIn(server.url, { via: 'oidc', issuer, email: ADA.email })).cookie;
    expect((await me(ada)).person?.githubLogin).toBe(ADA_ON_GITHUB.login);
  });

  it('refuses to link the same GitHub account to a second person, saying why', async () => {
    const landed = await linkGitHub(bob, ADA_ON_GITHUB.login, '/');
    expect(landed.pathname).toBe('/');
    expect(landed.searchParams.get('error')).toBe('sign_in_failed');
    expect(landed.searchParams.get('message')).toContain('already linked to another person');
    expect((await me(bob)).person?.githubLogin).toBeNull();
    expect((await me(ada)).person?.githubLogin).toBe(ADA_ON_GITHUB.login);
    expect(await pullRequestAuthor(bob)).toBe('nightshift-test[bot]');
  });

  it('when GitHub no longer takes her token, the refusal points at linking again, which works', async () => {
    for (const t of [...github.state.tokens.values()]) {
      if (t.login === ADA_ON_GITHUB.login) github.state.tokens.delete(t.token);
    }
    const session = await sessionWithACommit(ada);
    const refused = await asBrowser(server, ada, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(refused.status).toBe(409);
    const error = (refused.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('github_token_expired');
    expect(error.message).toContain(`${server.url}/api/auth/github/link`);

    await linkGitHub(ada, ADA_ON_GITHUB.login);
    expect(await pullRequestAuthor(ada)).toBe(ADA_ON_GITHUB.login);
  });

  it('unlinks: /api/me shows no GitHub login, the token is forgotten, and the next pull request is the App’s', async () => {
    const res = await asBrowser(server, ada, 'DELETE', '/api/auth/github/link');
    expect(res.status).toBe(204);
    expect((await me(ada)).person?.githubLogin).toBeNull();
    const person = (await server.store.people.getByEmail(ADA.email))!;
    expect(await server.store.people.sealedGithubToken(person.id)).toBeNull();
    expect(await pullRequestAuthor(ada)).toBe('nightshift-test[bot]');
  });
});
