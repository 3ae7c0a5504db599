// One contract for every sign-in provider: the same trip through a real identity provider, the
// same refusals, whatever the provider is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { attemptSignIn, reachCallback, signIn } from './support/sign-in.js';
import { INSIDER, OUTSIDER, PROVIDER_FIXTURES, type ProviderWorld } from './support/sign-in-providers.js';

async function me(server: TestServer, cookie: string | null) {
  const res = await fetch(`${server.url}/api/me`, { headers: cookie ? { cookie } : {} });
  return {
    status: res.status,
    body: (await res.json()) as { mode: string; person: { name: string; email: string } | null },
  };
}

for (const fixture of PROVIDER_FIXTURES) {
  describe(`sign-in provider contract: ${fixture.kind}`, () => {
    let world: ProviderWorld;
    let server: TestServer;

    beforeAll(async () => {
      world = await fixture.start([INSIDER, OUTSIDER], {
        emails: [INSIDER.email],
        domains: [],
        githubOrgs: [],
      });
      server = await startTestServer({ runner: new ScriptedRunner(), auth: world.auth });
    });
    afterAll(async () => {
      await server?.stopAndClean();
      await world?.close();
    });

    it('signs a person in under the name and email the provider gives', async () => {
      const { cookie, response, location } = await signIn(server.url, world.via(INSIDER));
      expect(response.status).toBe(302);
      expect(location.pathname).toBe('/');
      const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('nightshift_session='))!;
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      expect(setCookie).toMatch(/Path=\//);
      expect(setCookie).not.toMatch(/Secure/i); // http:// here; Secure comes with an https public URL
      const answer = await me(server, cookie);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        mode: 'team',
        person: { name: INSIDER.name, email: INSIDER.email },
      });
    });

    it('refuses an outsider: back to the sign-in page with error=forbidden and no session', async () => {
      const result = await attemptSignIn(server.url, world.via(OUTSIDER));
      expect(result.cookie).toBeNull();
      expect(result.location.pathname).toBe('/sign-in');
      expect(result.location.searchParams.get('error')).toBe('forbidden');
      expect(result.location.searchParams.get('message')).toContain(OUTSIDER.email);
      expect(result.response.headers.getSetCookie().some((c) => c.startsWith('nightshift_session='))).toBe(
        false,
      );
      expect((await me(server, null)).status).toBe(401);
    });

    it('refuses a callback whose state was tampered with', async () => {
      const trip = await reachCallback(server.url, world.via(INSIDER));
      const forged = new URL(trip.callbackUrl);
      forged.searchParams.set('state', `${forged.searchParams.get('state')}x`);
      const result = await trip.callback(forged);
      expect(result.cookie).toBeNull();
      expect(result.location.pathname).toBe('/sign-in');
      expect(result.location.searchParams.get('error')).toBe('sign_in_failed');
    });

    it('refuses a replayed callback, even with the sign-in cookie it started with', async () => {
      const trip = await reachCallback(server.url, world.via(INSIDER));
      const first = await trip.callback();
      expect(first.cookie).not.toBeNull();
      const replay = await trip.callback(trip.callbackUrl, { loginCookie: trip.loginCookie });
      expect(replay.cookie).toBeNull();
      expect(replay.location.pathname).toBe('/sign-in');
      expect(replay.location.searchParams.get('error')).toBe('sign_in_failed');
      expect(replay.location.searchParams.get('message')).toMatch(/start again/);
    });

    it('refuses a callback with no sign-in under way in this browser', async () => {
      const trip = await reachCallback(server.url, world.via(INSIDER));
      const res = await fetch(trip.callbackUrl, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!, server.url);
      expect(location.searchParams.get('error')).toBe('sign_in_failed');
      expect(
        res.headers
          .getSetCookie()
          .some((c) => c.startsWith('nightshift_session=') && !c.startsWith('nightshift_session=;')),
      ).toBe(false);
    });

    it('returns to the page the sign-in started from', async () => {
      const { location } = await signIn(server.url, world.via(INSIDER), '/sessions/ses_123?tab=files');
      expect(location.origin).toBe(new URL(server.url).origin);
      expect(`${location.pathname}${location.search}`).toBe('/sessions/ses_123?tab=files');
    });

    for (const offSite of [
      '//evil.example/steal',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      it(`ignores an off-site returnTo (${offSite}) and lands on /`, async () => {
        const { location } = await signIn(server.url, world.via(INSIDER), offSite);
        expect(location.origin).toBe(new URL(server.url).origin);
        expect(location.pathname).toBe('/');
      });
    }
  });
}
