import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { PeopleDirectory } from '../src/auth/people-directory.js';
import { ApiTokenService } from '../src/auth/api-tokens.js';
import { credentialHash } from '../src/auth/credentials.js';
import { tempDir } from './support/harness.js';

const ADA = { subject: 'ada', email: 'Ada@Acme.test', emailVerified: true, name: 'Ada Lovelace' };
const policy = { allow: { emails: [], domains: ['acme.test'], githubOrgs: [] }, admins: ['ada@acme.test'] };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let store: Store;
let now: number;
const clock = () => new Date(now);

beforeEach(async () => {
  store = await openSqliteStore(path.join(tempDir('ns-auth-'), 'nightshift.db'));
  now = Date.parse('2026-01-01T00:00:00Z');
});
afterEach(async () => store.close());

describe('browser sessions', () => {
  it('signs a person in once per email, with the role the admin list gives, and only a hash stored', async () => {
    const people = new PeopleDirectory(store, policy, clock);
    const first = await people.completeSignIn(ADA);
    const again = await people.completeSignIn({ ...ADA, email: 'ada@acme.test', name: 'Ada King' });
    if (!first.ok || !again.ok) throw new Error('refused');
    expect(again.person).toEqual({ ...first.person, name: 'Ada King' });
    expect(first.person).toMatchObject({ email: 'ada@acme.test', role: 'admin' });
    expect(first.cookieValue).not.toBe(again.cookieValue);
    const stored = await store.browserSessions.get(credentialHash(first.cookieValue));
    expect(JSON.stringify(stored)).not.toContain(first.cookieValue);
    const outsider = await people.completeSignIn({ ...ADA, email: 'eve@elsewhere.test' });
    expect(outsider).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await store.people.getByEmail('eve@elsewhere.test')).toBeUndefined();
  });

  it('slides while in use and ends 14 days after the last use', async () => {
    const people = new PeopleDirectory(store, policy, clock);
    const signedIn = await people.completeSignIn(ADA);
    if (!signedIn.ok) throw new Error('refused');
    now += 10 * DAY;
    await people.personForCookie(signedIn.cookieValue);
    now += 10 * DAY; // 20 days after sign-in, 10 after the last use
    expect((await people.personForCookie(signedIn.cookieValue)).email).toBe('ada@acme.test');
    now += 14 * DAY + MINUTE;
    await expect(people.personForCookie(signedIn.cookieValue)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    expect(await store.browserSessions.get(credentialHash(signedIn.cookieValue))).toBeUndefined();
  });

  it('takes a demoted admin’s role away on their next request', async () => {
    const signedIn = await new PeopleDirectory(store, policy, clock).completeSignIn(ADA);
    if (!signedIn.ok) throw new Error('refused');
    const demoted = new PeopleDirectory(store, { ...policy, admins: [] }, clock);
    expect((await demoted.personForCookie(signedIn.cookieValue)).role).toBe('member');
  });
});

describe('API tokens', () => {
  it('records the last use at most once a minute', async () => {
    const people = new PeopleDirectory(store, policy, clock);
    const signedIn = await people.completeSignIn(ADA);
    if (!signedIn.ok) throw new Error('refused');
    const tokens = new ApiTokenService(store, clock);
    const created = await tokens.create(signedIn.person, 'ci');
    const lastUsed = async () => (await store.apiTokens.get(created.id))?.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await tokens.resolve(created.token);
    const first = await lastUsed();
    expect(first).toBe(new Date(now).toISOString());
    now += 30_000;
    await tokens.resolve(created.token);
    expect(await lastUsed()).toBe(first);
    now += 31_000;
    await tokens.resolve(created.token);
    expect(await lastUsed()).toBe(new Date(now).toISOString());
  });
});
