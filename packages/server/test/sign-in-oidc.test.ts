// What is particular to OpenID Connect sign-in: the provider's word on the email, and an issuer
// that is down or not to be trusted over plain http.
import { afterEach, describe, expect, it } from 'vitest';
import { startOidcIssuer, type OidcIssuer } from '@nightshift/testkit';
import { ConfigError, resolveConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { attemptSignIn, signIn } from './support/sign-in.js';

const started: Array<{ close(): Promise<void> } | TestServer> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await ('stopAndClean' in s ? s.stopAndClean() : s.close());
});

async function serverFor(
  issuer: Pick<OidcIssuer, 'url' | 'clientId' | 'clientSecret'>,
  emails: string[],
  logs?: string[],
) {
  const server = await startTestServer({
    runner: new ScriptedRunner(),
    auth: {
      mode: 'oidc',
      oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
      allow: { emails, domains: [], githubOrgs: [] },
      admins: [],
    },
    ...(logs ? { logLevel: 'info', logDestination: { write: (line: string) => void logs.push(line) } } : {}),
  });
  started.push(server);
  return server;
}

async function personOf(server: TestServer, cookie: string) {
  const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
  return ((await res.json()) as { person: { name: string; email: string } }).person;
}

describe('OIDC sign-in', () => {
  it('refuses an address the issuer says is unverified, saying so', async () => {
    const issuer = await startOidcIssuer({
      accounts: [{ email: 'eve@acme.test', name: 'Eve', emailVerified: false }],
    });
    started.push(issuer);
    const server = await serverFor(issuer, ['eve@acme.test']);
    const result = await attemptSignIn(server.url, { via: 'oidc', issuer, email: 'eve@acme.test' });
    expect(result.cookie).toBeNull();
    expect(result.location.pathname).toBe('/sign-in');
    expect(result.location.searchParams.get('error')).toBe('sign_in_failed');
    expect(result.location.searchParams.get('message')).toMatch(/eve@acme\.test is not verified/);
  });

  it('trusts an issuer that never sends email_verified (a company directory vouches for its addresses)', async () => {
    const issuer = await startOidcIssuer({
      accounts: [{ email: 'dir@acme.test', name: 'Directory Person', emailVerified: 'absent' }],
    });
    started.push(issuer);
    const server = await serverFor(issuer, ['dir@acme.test']);
    const { cookie } = await signIn(server.url, { via: 'oidc', issuer, email: 'dir@acme.test' });
    expect(await personOf(server, cookie)).toMatchObject({
      name: 'Directory Person',
      email: 'dir@acme.test',
    });
  });

  it('sends an unreachable issuer to the sign-in page with a reason, logs it, and keeps serving', async () => {
    const gone = await startOidcIssuer({ accounts: [] });
    await gone.close();
    const logs: string[] = [];
    const server = await serverFor(gone, ['a@acme.test'], logs);
    const res = await fetch(`${server.url}/api/auth/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, server.url);
    expect(location.pathname).toBe('/sign-in');
    expect(location.searchParams.get('error')).toBe('sign_in_failed');
    expect(location.searchParams.get('message')).toContain(`${gone.url}/`);
    expect(logs.some((l) => l.includes('sign-in failed') && l.includes(gone.url))).toBe(true);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('the issuer refuses an email it has no account for', async () => {
    const issuer = await startOidcIssuer({ accounts: [{ email: 'known@acme.test', name: 'Known' }] });
    started.push(issuer);
    const server = await serverFor(issuer, ['known@acme.test', 'stranger@acme.test']);
    await expect(
      attemptSignIn(server.url, { via: 'oidc', issuer, email: 'stranger@acme.test' }),
    ).rejects.toThrow(/refused stranger@acme\.test/);
  });

  it('will not start with a plain-http issuer off this machine, naming the setting', () => {
    const env = {
      NIGHTSHIFT_AUTH: 'oidc',
      NIGHTSHIFT_OIDC_ISSUER: 'http://idp.example.com',
      NIGHTSHIFT_OIDC_CLIENT_ID: 'nightshift',
      NIGHTSHIFT_OIDC_CLIENT_SECRET: 's3cret',
      NIGHTSHIFT_ALLOWED_DOMAINS: 'example.com',
    };
    expect(() => resolveConfig({}, env)).toThrow(ConfigError);
    expect(() => resolveConfig({}, env)).toThrow(/^NIGHTSHIFT_OIDC_ISSUER: /);
    expect(() =>
      resolveConfig({}, { ...env, NIGHTSHIFT_OIDC_ISSUER: 'http://127.0.0.1:9000' }),
    ).not.toThrow();
  });
});
