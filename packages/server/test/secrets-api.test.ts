/**
 * The secrets API (docs/api.md "Secrets") in team mode, with people signed in through a real
 * OpenID Connect issuer: who may list, set and delete which secrets, what bad input gets, and
 * that no answer ever carries a value.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcIssuer, type OidcIssuer } from '@nightshift/testkit';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { attemptSignIn, signIn } from './support/sign-in.js';

const ADMIN = { email: 'ada@acme.test', name: 'Ada Lovelace' };
const MEMBER = { email: 'bob@acme.test', name: 'Bob Builder' };
const OUTSIDER = { email: 'mallory@elsewhere.test', name: 'Mallory Meddler' };
const ALLOWED_REPO = 'https://git.acme.test/team/app.git';
const OTHER_REPO = 'https://git.elsewhere.test/private/thing.git';

let issuer: OidcIssuer;
let server: TestServer;
let admin: string;
let member: string;

beforeAll(async () => {
  issuer = await startOidcIssuer({ accounts: [ADMIN, MEMBER, OUTSIDER] });
  server = await startTestServer({
    runner: new ScriptedRunner(),
    auth: {
      mode: 'oidc',
      oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
      allow: { emails: [], domains: ['acme.test'], githubOrgs: [] },
      admins: [ADMIN.email],
      allowedRepos: ['https://git.acme.test/team/*'],
    },
  });
  admin = (await signIn(server.url, { via: 'oidc', issuer, email: ADMIN.email })).cookie;
  member = (await signIn(server.url, { via: 'oidc', issuer, email: MEMBER.email })).cookie;
});
afterAll(async () => {
  await server?.stopAndClean();
  await issuer?.close();
});

interface ApiAnswer {
  error: { code: string; message: string };
  secrets: Array<{ name: string; repo: string | null; scope: string }>;
  [field: string]: unknown;
}

/** A same-origin browser request with a session cookie (or none). */
async function call(cookie: string | null, method: string, route: string, body?: unknown) {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      origin: server.url,
      ...(cookie ? { cookie } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as ApiAnswer) : null };
}

const value = () => `v-${randomBytes(12).toString('hex')}`;
const repoQuery = (repo: string) => `?repo=${encodeURIComponent(repo)}`;

describe('secrets API, team mode', () => {
  it('answers 401 without credentials on every secrets route', async () => {
    for (const [method, route, body] of [
      ['GET', '/api/secrets', undefined],
      ['PUT', '/api/secrets/SOME_KEY', { value: 'abcdef' }],
      ['DELETE', '/api/secrets/SOME_KEY', undefined],
    ] as const) {
      const res = await call(null, method, route, body);
      expect(res.status, `${method} ${route}`).toBe(401);
      expect(res.body?.error.code).toBe('unauthenticated');
    }
  });

  it('lets an admin set, list and delete a global secret, never answering its value', async () => {
    const secret = value();
    const put = await call(admin, 'PUT', '/api/secrets/DEPLOY_TOKEN', { value: secret });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      name: 'DEPLOY_TOKEN',
      repo: null,
      scope: 'agent',
      updatedAt: expect.any(String),
    });

    const listed = await call(member, 'GET', '/api/secrets');
    expect(listed.status).toBe(200);
    expect(listed.body?.secrets).toContainEqual(
      expect.objectContaining({ name: 'DEPLOY_TOKEN', repo: null }),
    );
    for (const res of [put, listed]) expect(res.text).not.toContain(secret);

    const again = await call(admin, 'PUT', '/api/secrets/DEPLOY_TOKEN', { value: value(), scope: 'setup' });
    expect(again.body).toMatchObject({ scope: 'setup' });
    expect((await call(admin, 'DELETE', '/api/secrets/DEPLOY_TOKEN')).status).toBe(204);
    expect((await call(admin, 'DELETE', '/api/secrets/DEPLOY_TOKEN')).status).toBe(404);
    expect((await call(admin, 'GET', '/api/secrets')).body?.secrets).not.toContainEqual(
      expect.objectContaining({ name: 'DEPLOY_TOKEN' }),
    );
  });

  it('keeps global secrets for admins to change: a member gets 403 admin_only, nothing changed', async () => {
    await call(admin, 'PUT', '/api/secrets/SHARED_KEY', { value: 'admin-value' });
    const before = (await call(admin, 'GET', '/api/secrets')).body;
    const put = await call(member, 'PUT', '/api/secrets/SHARED_KEY', { value: 'member-value' });
    expect(put.status).toBe(403);
    expect(put.body?.error.code).toBe('admin_only');
    const del = await call(member, 'DELETE', '/api/secrets/SHARED_KEY');
    expect(del.status).toBe(403);
    expect(del.body?.error.code).toBe('admin_only');
    expect((await call(admin, 'GET', '/api/secrets')).body).toEqual(before);
  });

  it("lets a member manage the secrets of a repository the deployment allows, and not another's", async () => {
    const put = await call(member, 'PUT', '/api/secrets/NPM_TOKEN', { value: value(), repo: ALLOWED_REPO });
    expect(put.status).toBe(200);
    // Stored under the repository as the allow-list compares it: with or without `.git`.
    expect(put.body).toMatchObject({ name: 'NPM_TOKEN', repo: 'https://git.acme.test/team/app' });
    const listed = await call(member, 'GET', `/api/secrets${repoQuery('https://git.acme.test/team/app')}`);
    expect(listed.body?.secrets.map((s: { name: string }) => s.name)).toEqual(['NPM_TOKEN']);
    // Not among the global ones.
    expect((await call(member, 'GET', '/api/secrets')).body?.secrets).not.toContainEqual(
      expect.objectContaining({ name: 'NPM_TOKEN' }),
    );

    for (const res of [
      await call(member, 'PUT', '/api/secrets/NPM_TOKEN', { value: value(), repo: OTHER_REPO }),
      await call(member, 'GET', `/api/secrets${repoQuery(OTHER_REPO)}`),
      await call(member, 'DELETE', `/api/secrets/NPM_TOKEN${repoQuery(OTHER_REPO)}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body?.error.code).toBe('repo_not_allowed');
    }
    // An admin may, any repository.
    expect(
      (await call(admin, 'PUT', '/api/secrets/NPM_TOKEN', { value: value(), repo: OTHER_REPO })).status,
    ).toBe(200);
    expect((await call(member, 'DELETE', `/api/secrets/NPM_TOKEN${repoQuery(ALLOWED_REPO)}`)).status).toBe(
      204,
    );
  });

  it('does not let an outsider in to reach them', async () => {
    const refused = await attemptSignIn(server.url, { via: 'oidc', issuer, email: OUTSIDER.email });
    expect(refused.cookie).toBeNull();
    expect(refused.location.searchParams.get('error')).toBe('forbidden');
    const forged = await call('nightshift_session=forged-cookie-value', 'GET', '/api/secrets');
    expect(forged.status).toBe(401);
  });

  it('refuses bad input with a 400 naming the field, and changes nothing', async () => {
    await call(admin, 'PUT', '/api/secrets/KEEP_ME', { value: 'kept-value' });
    const before = (await call(admin, 'GET', '/api/secrets')).body;
    const cases: Array<[string, string, unknown, string]> = [
      ['PUT', '/api/secrets/1BAD', { value: 'abcdef' }, 'name'],
      ['PUT', '/api/secrets/has-dash', { value: 'abcdef' }, 'name'],
      ['PUT', `/api/secrets/${'A'.repeat(129)}`, { value: 'abcdef' }, 'name'],
      ['PUT', '/api/secrets/PATH', { value: 'abcdef' }, 'name'],
      ['PUT', '/api/secrets/NIGHTSHIFT_SANDBOX_TOKEN', { value: 'abcdef' }, 'name'],
      ['PUT', '/api/secrets/LD_PRELOAD', { value: '/tmp/x.so' }, 'name'],
      ['PUT', '/api/secrets/GIT_SSH_COMMAND', { value: 'evil' }, 'name'],
      ['PUT', '/api/secrets/ANTHROPIC_API_KEY', { value: 'sk-x' }, 'name'],
      ['PUT', '/api/secrets/KEEP_ME', { value: '' }, 'value'],
      ['PUT', '/api/secrets/KEEP_ME', { value: 42 }, 'value'],
      ['PUT', '/api/secrets/KEEP_ME', {}, 'value'],
      ['PUT', '/api/secrets/KEEP_ME', { value: 'a\u0000b' }, 'value'],
      ['PUT', '/api/secrets/KEEP_ME', { value: 'x'.repeat(64 * 1024 + 1) }, 'value'],
      ['PUT', '/api/secrets/KEEP_ME', { value: 'abcdef', scope: 'everything' }, 'scope'],
      ['PUT', '/api/secrets/KEEP_ME', { value: 'abcdef', repo: 'relative/dir/path' }, 'repo'],
      ['GET', `/api/secrets${repoQuery('not a repo')}`, undefined, 'repo'],
      ['DELETE', `/api/secrets/KEEP_ME${repoQuery('')}`, undefined, 'repo'],
      ['DELETE', '/api/secrets/bad-name', undefined, 'name'],
    ];
    for (const [method, route, body, field] of cases) {
      const res = await call(admin, method, route, body);
      expect(res.status, `${method} ${route.slice(0, 60)} ${JSON.stringify(body)?.slice(0, 60)}`).toBe(400);
      expect(res.body?.error.code).toBe('invalid_request');
      expect(res.body?.error.message).toContain(field);
    }
    const broken = await call(admin, 'PUT', '/api/secrets/KEEP_ME', '{"value":');
    expect(broken.status).toBe(400);
    // owner/name names a repository only through a GitHub App, and this server has none.
    const unnamed = await call(admin, 'PUT', '/api/secrets/KEEP_ME', { value: 'abcdef', repo: 'acme/app' });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body?.error.code).toBe('github_not_configured');
    expect((await call(admin, 'GET', '/api/secrets')).body).toEqual(before);
  });
});
