import { describe, expect, it } from 'vitest';
import { allowed, roleFor } from '../src/auth/access.js';
import { repoAllowed } from '../src/auth/repo-access.js';
import { cookieRequestAllowed } from '../src/auth/same-origin.js';
import { readBearer, newApiToken } from '../src/auth/credentials.js';
import { loopbackOrigins } from '../src/auth/auth-services.js';

const none = { emails: [], domains: [], githubOrgs: [] };

describe('who gets in (deny by default)', () => {
  it('admits a verified email on the list, whatever its case, and nobody with empty lists', () => {
    const allow = { ...none, emails: ['ada@example.com'] };
    expect(allowed({ email: 'Ada@Example.COM', emailVerified: true }, allow)).toEqual({ ok: true });
    const refused = allowed({ email: 'ada@example.com', emailVerified: true }, none);
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
    expect(refused.ok || refused.message).toContain('ada@example.com');
  });

  it('matches a domain exactly: not a subdomain, not a look-alike suffix', () => {
    const allow = { ...none, domains: ['example.com'] };
    expect(allowed({ email: 'a@example.com', emailVerified: true }, allow).ok).toBe(true);
    expect(allowed({ email: 'a@evil.example.com', emailVerified: true }, allow).ok).toBe(false);
    expect(allowed({ email: 'a@notexample.com', emailVerified: true }, allow).ok).toBe(false);
    expect(allowed({ email: 'example.com@evil.org', emailVerified: true }, allow).ok).toBe(false);
  });

  it('never lets an unverified address match, but lets an allowed GitHub organisation in', () => {
    const allow = { emails: ['a@example.com'], domains: ['example.com'], githubOrgs: ['acme'] };
    const unverified = allowed({ email: 'a@example.com', emailVerified: false }, allow);
    expect(unverified.ok).toBe(false);
    expect(unverified.ok || unverified.message).toMatch(/not verified/);
    expect(allowed({ email: 'x@elsewhere.org', emailVerified: false, githubOrgs: ['ACME'] }, allow).ok).toBe(
      true,
    );
    expect(allowed({ email: 'x@elsewhere.org', emailVerified: true, githubOrgs: ['other'] }, allow).ok).toBe(
      false,
    );
  });

  it('makes admins of the listed emails only', () => {
    expect(roleFor('Boss@Example.com', ['boss@example.com'])).toBe('admin');
    expect(roleFor('someone@example.com', ['boss@example.com'])).toBe('member');
  });
});

describe('which repositories team mode may use', () => {
  it('matches exactly, ignoring a trailing slash or .git on either side', () => {
    const patterns = ['https://git.example.com/acme/app.git'];
    expect(repoAllowed('https://git.example.com/acme/app', patterns)).toBe(true);
    expect(repoAllowed('https://git.example.com/acme/app/', patterns)).toBe(true);
    expect(repoAllowed('https://git.example.com/acme/app.git', patterns)).toBe(true);
    expect(repoAllowed('https://git.example.com/acme/app-secret', patterns)).toBe(false);
    expect(repoAllowed('/srv/repos/app', patterns)).toBe(false);
  });

  it('matches a prefix before a trailing *, and nothing with no patterns', () => {
    const patterns = ['https://git.example.com/acme/*', '/srv/repos/*'];
    expect(repoAllowed('https://git.example.com/acme/anything.git', patterns)).toBe(true);
    expect(repoAllowed('/srv/repos/app', patterns)).toBe(true);
    expect(repoAllowed('https://git.example.com/other/app', patterns)).toBe(false);
    expect(repoAllowed('/etc/passwd', patterns)).toBe(false);
    expect(repoAllowed('/srv/repos/app', [])).toBe(false);
    expect(repoAllowed('/anything', ['*'])).toBe(false);
  });

  it('does not let .. walk out of a prefix', () => {
    const patterns = ['https://git.example.com/acme/*', '/srv/repos/*'];
    expect(repoAllowed('/srv/repos/../secret/app', patterns)).toBe(false);
    expect(repoAllowed('/srv/repos/a/../../etc', patterns)).toBe(false);
    expect(repoAllowed('https://git.example.com/acme/../other/app', patterns)).toBe(false);
    expect(repoAllowed('https://git.example.com/acme/%2e%2e/other/app', patterns)).toBe(false);
    expect(repoAllowed('git@git.example.com:acme/../other', ['git@git.example.com:acme/*'])).toBe(false);
    expect(repoAllowed('/srv/repos/a/./b', patterns)).toBe(true);
  });
});

describe('cookie writes from other origins', () => {
  const origin = 'https://ns.example.com';
  it('lets reads through and writes only from the public origin', () => {
    const write = (o: string | undefined, site?: string) =>
      cookieRequestAllowed({ method: 'POST', origin: o, secFetchSite: site }, [origin]);
    expect(
      cookieRequestAllowed({ method: 'GET', origin: 'https://evil.test', secFetchSite: undefined }, [origin]),
    ).toBe(true);
    expect(write('https://ns.example.com')).toBe(true);
    expect(write('https://evil.test')).toBe(false);
    expect(write('null')).toBe(false);
    expect(write(undefined)).toBe(false);
    expect(write(undefined, 'same-origin')).toBe(true);
    expect(write(undefined, 'cross-site')).toBe(false);
  });

  it('holds a WebSocket handshake (a GET) to the same rule', () => {
    expect(
      cookieRequestAllowed(
        { method: 'GET', origin: 'https://evil.test', secFetchSite: undefined },
        [origin],
        true,
      ),
    ).toBe(false);
    expect(cookieRequestAllowed({ method: 'GET', origin, secFetchSite: undefined }, [origin], true)).toBe(
      true,
    );
  });
});

describe('the Authorization header', () => {
  it('reads a well-formed token and calls anything else malformed', () => {
    const token = newApiToken();
    expect(readBearer(`Bearer ${token}`)).toEqual({ kind: 'token', token });
    expect(readBearer(undefined)).toEqual({ kind: 'absent' });
    for (const bad of [
      'Bearer',
      `Basic ${token}`,
      'Bearer nst_short',
      `Bearer ${token}x`,
      'Bearer abc def',
      token,
    ]) {
      expect(readBearer(bad)).toEqual({ kind: 'malformed' });
    }
  });
});

describe('the origins of a loopback server without NIGHTSHIFT_PUBLIC_URL', () => {
  it('are each loopback name on the listen port, and nothing else', () => {
    const origins = loopbackOrigins('http://127.0.0.1:7070');
    const write = (o: string) =>
      cookieRequestAllowed({ method: 'POST', origin: o, secFetchSite: undefined }, origins);
    expect(write('http://localhost:7070')).toBe(true);
    expect(write('http://127.0.0.1:7070')).toBe(true);
    expect(write('http://[::1]:7070')).toBe(true);
    expect(write('http://localhost:5173')).toBe(false);
    expect(write('https://localhost:7070')).toBe(false);
  });
});
