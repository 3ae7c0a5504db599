// The testkit GitHub speaks for Apps as GitHub does, checked with the product's own client
// libraries: the App's JWT, installations, hour-long installation tokens and their reach.
import { createPrivateKey, createSign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installationToken, startGitHubWorld, type GitHubWorld } from './support/github-world.js';

let world: GitHubWorld;
beforeEach(async () => {
  world = await startGitHubWorld();
});
afterEach(async () => {
  await world.close();
});

function jwt(claims: Record<string, unknown>, privateKey = world.app.privateKey): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const data = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(data).sign(createPrivateKey(privateKey), 'base64url');
  return `${data}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

describe('testkit GitHub: Apps', () => {
  it('hands out a PKCS#1 private key and answers GET /app to the App JWT @octokit/app signs', async () => {
    expect(world.app.privateKey).toContain('-----BEGIN RSA PRIVATE KEY-----');
    const { data } = await world.octokitApp.octokit.request('GET /app');
    expect(data).toMatchObject({ id: world.app.id, slug: 'nightshift-test', name: 'Nightshift Test' });
  });

  it('refuses an expired JWT, one lasting beyond ten minutes, and one signed by another key', async () => {
    const call = (token: string) =>
      fetch(`${world.github.apiUrl}/app`, { headers: { authorization: `Bearer ${token}` } });
    const expired = await call(jwt({ iss: world.app.id, iat: now() - 700, exp: now() - 100 }));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ documentation_url: expect.any(String) });
    expect((await call(jwt({ iss: world.app.id, iat: now(), exp: now() + 3600 }))).status).toBe(401);
    const stranger = world.github.createApp({ slug: 'stranger' });
    const forged = jwt({ iss: world.app.id, iat: now() - 30, exp: now() + 500 }, stranger.privateKey);
    expect((await call(forged)).status).toBe(401);
    expect((await call(jwt({ iss: String(world.app.id), iat: now() - 30, exp: now() + 570 }))).status).toBe(
      200,
    );
  });

  it('finds the installation of an installed repository and 404s for one the App is not on', async () => {
    const { data } = await world.octokitApp.octokit.request('GET /repos/{owner}/{repo}/installation', {
      owner: 'acme',
      repo: 'widgets',
    });
    expect(data).toMatchObject({
      id: world.installationId,
      account: { login: 'acme' },
      app_slug: 'nightshift-test',
    });
    await expect(
      world.octokitApp.octokit.request('GET /repos/{owner}/{repo}/installation', {
        owner: 'acme',
        repo: 'secret-sauce',
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("lists the installation's repositories, page by page, with an installation token", async () => {
    for (const name of ['a', 'b', 'c']) await world.github.createRepo({ owner: 'acme', name });
    world.github.installApp({ owner: 'acme', repos: ['a', 'b', 'c'] });
    const names: string[] = [];
    for await (const { repository } of world.octokitApp.eachRepository.iterator())
      names.push(repository.full_name);
    expect(names.sort()).toEqual(['acme/a', 'acme/b', 'acme/c', 'acme/widgets']);

    const { token } = await installationToken(world);
    const first = await world.rest(token).request('GET /installation/repositories', { per_page: 3 });
    expect(first.data.total_count).toBe(4);
    expect(first.data.repositories).toHaveLength(3);
    expect(first.headers.link).toContain('rel="next"');
  });

  it('mints a token for an hour, scoped to the repositories asked for, and refuses one outside the installation', async () => {
    const token = await installationToken(world, {
      repositories: ['widgets'],
      permissions: { contents: 'read' },
    });
    expect(token.token).toMatch(/^ghs_/);
    const lifetime = Date.parse(token.expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(59 * 60 * 1000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(token.permissions).toEqual({ contents: 'read' });
    expect(token.repositories?.map((r) => r.full_name)).toEqual(['acme/widgets']);
    expect(world.github.installationToken(token.token)?.repos).toEqual(new Set(['acme/widgets']));

    await expect(installationToken(world, { repositories: ['secret-sauce'] })).rejects.toMatchObject({
      status: 422,
    });
    await expect(
      world.rest(token.token).repos.get({ owner: 'acme', repo: 'secret-sauce' }),
    ).rejects.toMatchObject({ status: 404 });
    expect(
      (await world.rest(token.token).repos.get({ owner: 'acme', repo: 'widgets' })).data.default_branch,
    ).toBe('main');
  });

  it('answers 401 to an installation token once it has expired', async () => {
    const { token } = await installationToken(world);
    await world.rest(token).repos.get({ owner: 'acme', repo: 'widgets' });
    world.github.expireTokens();
    await expect(world.rest(token).repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 401,
    });
    expect(world.github.installationToken(token)).toBeUndefined();
  });

  it("answers as GitHub's exhausted rate limit until the reset", async () => {
    const { token } = await installationToken(world);
    world.github.rateLimit({ remaining: 0, resetInSeconds: 120 });
    const res = await fetch(`${world.github.apiUrl}/repos/acme/widgets`, {
      headers: { authorization: `token ${token}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(100);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    world.github.rateLimit({ remaining: 5000 });
    expect((await world.rest(token).repos.get({ owner: 'acme', repo: 'widgets' })).status).toBe(200);
  });
});
