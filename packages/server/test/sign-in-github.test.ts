// What is particular to GitHub sign-in: the email GitHub vouches for (or its noreply address),
// organisations from /user/orgs, and the user token kept out of answers and logs.
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubServer, type GitHubServer, type GitHubUser } from '@nightshift/testkit';
import type { AuthConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { attemptSignIn, signIn } from './support/sign-in.js';
import { githubSettingsOf } from './support/sign-in-providers.js';

const started: Array<GitHubServer | TestServer> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await ('stopAndClean' in s ? s.stopAndClean() : s.close());
});

async function world(users: GitHubUser[], allow: Partial<AuthConfig['allow']>, logs?: string[]) {
  const github = await startGitHubServer({ users });
  started.push(github);
  const server = await startTestServer({
    runner: new ScriptedRunner(),
    auth: {
      mode: 'github',
      github: githubSettingsOf(github),
      allow: { emails: [], domains: [], githubOrgs: [], ...allow },
      admins: [],
    },
    ...(logs ? { logLevel: 'debug', logDestination: { write: (line: string) => void logs.push(line) } } : {}),
  });
  started.push(server);
  return { github, server };
}

async function meOf(server: TestServer, cookie: string) {
  const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
  return { text: await res.clone().text(), body: (await res.json()) as { person: Record<string, unknown> } };
}

describe('GitHub sign-in', () => {
  it("uses GitHub's noreply address when the primary email is not verified", async () => {
    const grace: GitHubUser = {
      login: 'grace',
      id: 4242,
      name: 'Grace Hopper',
      email: 'grace@unverified.test',
      emailVerified: false,
    };
    const noreply = `4242+grace@users.noreply.127.0.0.1`;
    const { github, server } = await world([grace], { emails: [noreply] });
    const { cookie } = await signIn(server.url, { via: 'github', github, login: 'grace' });
    const { body } = await meOf(server, cookie);
    expect(body.person).toMatchObject({ name: 'Grace Hopper', email: noreply, githubLogin: 'grace' });
  });

  it('lets in a member of an allowed organisation, read from /user/orgs, and refuses one of another', async () => {
    const users: GitHubUser[] = [
      { login: 'linus', id: 1, name: 'Linus', email: 'linus@personal.test', orgs: ['other', 'Acme'] },
      { login: 'ken', id: 2, name: null, email: 'ken@personal.test', orgs: ['other'] },
    ];
    const { github, server } = await world(users, { githubOrgs: ['acme'] });
    const inside = await signIn(server.url, { via: 'github', github, login: 'linus' });
    expect((await meOf(server, inside.cookie)).body.person).toMatchObject({
      name: 'Linus',
      githubLogin: 'linus',
    });
    expect(github.requests).toContain('GET /api/v3/user/orgs 200');

    const outside = await attemptSignIn(server.url, { via: 'github', github, login: 'ken' });
    expect(outside.cookie).toBeNull();
    expect(outside.location.searchParams.get('error')).toBe('forbidden');
  });

  it('names a person without a GitHub name by their login', async () => {
    const { github, server } = await world([{ login: 'nameless', id: 9, name: null, email: 'n@acme.test' }], {
      domains: ['acme.test'],
    });
    const { cookie } = await signIn(server.url, { via: 'github', github, login: 'nameless' });
    expect((await meOf(server, cookie)).body.person).toMatchObject({
      name: 'nameless',
      email: 'n@acme.test',
    });
  });

  it("never shows the person's GitHub token in an answer or a log line", async () => {
    const logs: string[] = [];
    const { github, server } = await world(
      [{ login: 'ada', id: 3, name: 'Ada', email: 'ada@acme.test' }],
      {
        emails: ['ada@acme.test'],
      },
      logs,
    );
    const { cookie, response } = await signIn(server.url, { via: 'github', github, login: 'ada' });
    const tokens = [...github.state.tokens.keys()];
    expect(tokens).toHaveLength(1);
    const seen = [
      logs.join('\n'),
      (await meOf(server, cookie)).text,
      response.headers.get('location') ?? '',
    ].join('\n');
    for (const token of tokens) expect(seen).not.toContain(token);
  });
});

describe('the testkit GitHub speaks GitHub', () => {
  it("answers the REST API without a token, or with a wrong one, with GitHub's 401", async () => {
    const github = await startGitHubServer({
      users: [{ login: 'ada', id: 3, name: 'Ada', email: 'ada@acme.test' }],
    });
    started.push(github);
    const none = await fetch(`${github.apiUrl}/user`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ message: 'Requires authentication', status: '401' });
    const wrong = await fetch(`${github.apiUrl}/user`, { headers: { authorization: 'Bearer gho_nope' } });
    expect(await wrong.json()).toMatchObject({ message: 'Bad credentials' });
    const token = github.state.issueToken('ada', ['read:user']);
    const user = await fetch(`${github.apiUrl}/user`, { headers: { authorization: `token ${token}` } });
    expect(await user.json()).toMatchObject({ login: 'ada', id: 3 });
    // Without user:email GitHub hides the emails as if they did not exist.
    expect(
      (await fetch(`${github.apiUrl}/user/emails`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(404);
  });

  it('exchanges a code form-encoded unless JSON is asked for, and only once', async () => {
    const github = await startGitHubServer({
      users: [{ login: 'ada', id: 3, name: 'Ada', email: 'ada@acme.test' }],
    });
    started.push(github);
    const codeFor = async () => {
      const url = new URL('/login/oauth/authorize', github.url);
      url.search = new URLSearchParams({
        client_id: github.clientId,
        redirect_uri: 'http://127.0.0.1:1/cb',
        state: 's',
        login: 'ada',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      return new URL(res.headers.get('location')!).searchParams.get('code')!;
    };
    const exchange = (code: string, accept?: string) =>
      fetch(`${github.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(accept ? { accept } : {}) },
        body: new URLSearchParams({ client_id: github.clientId, client_secret: github.clientSecret, code }),
      });
    const code = await codeFor();
    const form = new URLSearchParams(await (await exchange(code)).text());
    expect(form.get('access_token')).toMatch(/^gho_/);
    expect(form.get('token_type')).toBe('bearer');
    const again = await (await exchange(code, 'application/json')).json();
    expect(again).toMatchObject({ error: 'bad_verification_code' });
    const json = await (await exchange(await codeFor(), 'application/json')).json();
    expect(json).toMatchObject({ token_type: 'bearer' });
  });
});
