import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@nightshift/client';
import type { Message, Session, TokenCreated, TokenList } from '@nightshift/protocol';
import { credentialHash } from '../src/auth/credentials.js';
import { makeRepo, eventually } from './support/harness.js';
import {
  ADA,
  BOB,
  asBrowser,
  clientWith,
  cookieOf,
  openSocket,
  startTeamWorld,
  tokenFor,
  type TeamWorld,
} from './support/team-server.js';

let world: TeamWorld;
let adaCookie: string;
let bobCookie: string;
let adaToken: string;
let bobToken: string;

beforeAll(async () => {
  world = await startTeamWorld();
  adaCookie = await cookieOf(world.server, world.issuer, ADA.email);
  bobCookie = await cookieOf(world.server, world.issuer, BOB.email);
  adaToken = await tokenFor(world.server, adaCookie);
  bobToken = await tokenFor(world.server, bobCookie);
});
afterAll(async () => world?.close());

/** Placeholder parameters for any route's path: enough to reach its handler. */
const PARAMS = { id: 'ses_nope', messageId: 'msg_nope', name: 'SOME_NAME' };
/** Reachable signed out: whether and how to sign in. */
const PUBLIC = new Set(['/api/health', '/api/auth/login', '/api/auth/callback']);

const sessionCount = async () => (await clientWith(world.server, adaToken).listSessions()).length;

describe('team mode without credentials', () => {
  it('answers 401 unauthenticated on every route of the API', async () => {
    const checked: string[] = [];
    for (const [name, route] of Object.entries(routes)) {
      const path = (route.path as (p: typeof PARAMS) => string)(PARAMS);
      if (PUBLIC.has(path.split('?')[0]!)) continue;
      const res = await world.server.api<{ error: { code: string } }>(route.method, path);
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({
        name,
        status: 401,
        code: 'unauthenticated',
      });
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(['createSession', 'sendPrompt', 'me', 'createToken']));
  });

  it('still tells anyone that it is up and how to sign in', async () => {
    const res = await world.server.api('GET', '/api/health');
    expect(res).toMatchObject({ status: 200, body: { ok: true, auth: 'oidc' } });
  });

  it('refuses the event stream and the WebSocket before they open', async () => {
    const session = await clientWith(world.server, adaToken).createSession({ repo: world.repo });
    const sse = await fetch(`${world.server.url}/api/sessions/${session.id}/events/stream`);
    expect(sse.status).toBe(401);
    await sse.body?.cancel();
    const socket = await openSocket(world.server, session.id, {});
    expect(socket).toMatchObject({ refused: 401 });
    // Not even whether a session exists is told to a stranger.
    expect(await openSocket(world.server, 'ses_nope', {})).toMatchObject({ refused: 401 });
  });
});

describe('credentials that do not hold', () => {
  it('refuses a malformed Authorization header, saying so, and creates nothing', async () => {
    const before = await sessionCount();
    for (const header of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer not-a-token', `Bearer ${adaToken}x`]) {
      const res = await fetch(`${world.server.url}/api/sessions`, {
        method: 'POST',
        headers: { authorization: header, 'content-type': 'application/json' },
        body: JSON.stringify({ repo: world.repo }),
      });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status).toBe(401);
      expect(body.error).toMatchObject({
        code: 'unauthenticated',
        message: expect.stringMatching(/Authorization/),
      });
    }
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a well-formed token it never issued', async () => {
    const stranger = `nst_${randomBytes(32).toString('base64url')}`;
    const err = await clientWith(world.server, stranger)
      .me()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 401,
      code: 'unauthenticated',
      message: expect.stringMatching(/not known/),
    });
  });

  it('refuses a forged session cookie, and creates nothing', async () => {
    const before = await sessionCount();
    for (const cookie of [
      `nightshift_session=${randomBytes(32).toString('base64url')}`,
      'nightshift_session=garbage',
      `nightshift_session=${adaCookie.split('=')[1]}x`,
    ]) {
      const res = await asBrowser(world.server, cookie, 'POST', '/api/sessions', { repo: world.repo });
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    }
    expect(await sessionCount()).toBe(before);
  });

  it('ends an expired browser session: 401, and its row is gone', async () => {
    const cookie = await cookieOf(world.server, world.issuer, BOB.email);
    const id = credentialHash(cookie.split('=')[1]!);
    expect((await asBrowser(world.server, cookie, 'GET', '/api/me')).status).toBe(200);
    await world.server.store.browserSessions.extend(id, {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      lastSeenAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const res = await asBrowser(world.server, cookie, 'GET', '/api/me');
    expect(res).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthenticated', message: /expired/ } },
    });
    expect(await world.server.store.browserSessions.get(id)).toBeUndefined();
  });
});

describe('who is signed in', () => {
  it('answers /api/me with the person and their role, from cookie or token', async () => {
    const byCookie = await asBrowser(world.server, adaCookie, 'GET', '/api/me');
    expect(byCookie).toMatchObject({
      status: 200,
      body: { mode: 'team', person: { name: ADA.name, email: ADA.email, role: 'admin', githubLogin: null } },
    });
    expect(await clientWith(world.server, bobToken).me()).toMatchObject({
      mode: 'team',
      person: { name: BOB.name, email: BOB.email, role: 'member' },
    });
  });

  it('signs out: the session ends on the server and the cookie is cleared', async () => {
    const cookie = await cookieOf(world.server, world.issuer, BOB.email);
    const out = await asBrowser(world.server, cookie, 'POST', '/api/auth/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^nightshift_session=;.*Max-Age=0/);
    expect((await asBrowser(world.server, cookie, 'GET', '/api/me')).status).toBe(401);
    // Bob's other session (another browser) is untouched.
    expect((await asBrowser(world.server, bobCookie, 'GET', '/api/me')).status).toBe(200);
  });
});

describe('cookie writes from another origin', () => {
  it('refuses a cross-origin cookie POST with 403 and creates nothing; the same origin works', async () => {
    const before = await sessionCount();
    const evil = await asBrowser(
      world.server,
      adaCookie,
      'POST',
      '/api/sessions',
      { repo: world.repo },
      'https://evil.test',
    );
    expect(evil).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden', message: /cross-origin/ } },
    });
    const noOrigin = await asBrowser(
      world.server,
      adaCookie,
      'POST',
      '/api/sessions',
      { repo: world.repo },
      null,
    );
    expect(noOrigin.status).toBe(403);
    expect(await sessionCount()).toBe(before);
    const same = await asBrowser(world.server, adaCookie, 'POST', '/api/sessions', { repo: world.repo });
    expect(same.status).toBe(201);
    expect(await sessionCount()).toBe(before + 1);
  });

  it('refuses a WebSocket handshake with the cookie from another origin (cross-site WebSocket hijacking)', async () => {
    const session = await clientWith(world.server, adaToken).createSession({ repo: world.repo });
    expect(
      await openSocket(world.server, session.id, { cookie: adaCookie, origin: 'https://evil.test' }),
    ).toMatchObject({ refused: 403 });
    const ok = await openSocket(world.server, session.id, { cookie: adaCookie, origin: world.server.url });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
  });
});

describe('API tokens', () => {
  it('lives from creation to revocation: shown once, works, listed without its value, then refused', async () => {
    const created = await asBrowser(world.server, bobCookie, 'POST', '/api/tokens', { name: 'laptop' });
    expect(created.status).toBe(201);
    const token = created.body as TokenCreated;
    expect(token).toMatchObject({
      id: expect.any(String),
      name: 'laptop',
      token: expect.stringMatching(/^nst_/),
    });

    const bob = clientWith(world.server, token.token);
    expect((await bob.me()).person?.email).toBe(BOB.email);

    const listed = await asBrowser(world.server, bobCookie, 'GET', '/api/tokens');
    const entry = (listed.body as TokenList).tokens.find((t) => t.id === token.id);
    expect(entry).toMatchObject({ name: 'laptop', lastUsedAt: expect.any(String), owner: BOB });
    expect(JSON.stringify(listed.body)).not.toContain(token.token);
    // Stored hashed: the value is nowhere in the database row.
    expect(JSON.stringify(await world.server.store.apiTokens.get(token.id))).not.toContain(token.token);

    await bob.deleteToken(token.id);
    await expect(bob.me()).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/revoked/) });
    const after = (await clientWith(world.server, bobToken).listTokens()).map((t) => t.id);
    expect(after).not.toContain(token.id);
  });

  it('keeps tokens to their owners; an admin sees and revokes everyone’s', async () => {
    const bob = clientWith(world.server, bobToken);
    const ada = clientWith(world.server, adaToken);
    const adaTokens = await ada.listTokens();
    expect(adaTokens.every((t) => t.owner.email === ADA.email)).toBe(true);
    await expect(bob.listTokens({ all: true })).rejects.toMatchObject({ status: 403, code: 'admin_only' });
    const victim = adaTokens[0]!;
    await expect(bob.deleteToken(victim.id)).rejects.toMatchObject({ status: 404 });
    expect((await ada.listTokens()).map((t) => t.id)).toContain(victim.id);

    const spare = await bob.createToken('spare');
    const everyone = await ada.listTokens({ all: true });
    expect(everyone.map((t) => t.owner.email)).toEqual(expect.arrayContaining([ADA.email, BOB.email]));
    await ada.deleteToken(spare.id);
    await expect(clientWith(world.server, spare.token).me()).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a bad token name, naming the field, and creates nothing', async () => {
    const bob = clientWith(world.server, bobToken);
    const before = (await bob.listTokens()).length;
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'ok', extra: 1 }]) {
      const res = await bob.raw('POST', '/api/tokens', body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/name|extra/);
    }
    expect((await bob.listTokens()).length).toBe(before);
  });
});

describe('identity everywhere', () => {
  it('puts the signed-in person on a prompt, whatever author the body claims', async () => {
    const bob = clientWith(world.server, bobToken);
    const session = await bob.createSession({ repo: world.repo });
    const claimed = { name: 'Mallory', email: 'mallory@evil.test' };
    const accepted = await bob.prompt(session.id, { text: 'hello', author: claimed });
    const messages = await bob.messages(session.id);
    const message = messages.find((m: Message) => m.id === accepted.messageId);
    expect(message?.author).toEqual(BOB);
  });

  it('shows the socket’s person in presence and on its prompts, whatever the frames say', async () => {
    const session = await clientWith(world.server, adaToken).createSession({ repo: world.repo });
    const opened = await openSocket(world.server, session.id, { authorization: `Bearer ${bobToken}` });
    if (!('ws' in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    const { ws, frames } = opened;
    await eventually(() => frames.some((f) => f.type === 'presence_update'));
    ws.send(
      JSON.stringify({
        type: 'presence',
        user: { name: 'Mallory', email: 'mallory@evil.test' },
        status: 'active',
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'prompt',
        text: 'hi',
        author: { name: 'Mallory', email: 'mallory@evil.test' },
        clientRequestId: 'req-1',
      }),
    );
    await eventually(() => frames.some((f) => f.type === 'ack'));
    const presence = frames.filter((f) => f.type === 'presence_update').at(-1) as {
      participants: Array<{ user: unknown }>;
    };
    expect(presence.participants.map((p) => p.user)).toEqual([BOB]);
    const ack = frames.find((f) => f.type === 'ack') as { messageId: string };
    const message = (await clientWith(world.server, adaToken).messages(session.id)).find(
      (m) => m.id === ack.messageId,
    );
    expect(message?.author).toEqual(BOB);
    ws.close();
  });
});

describe('repositories people may use', () => {
  it('refuses a session on a repository the deployment does not allow, and creates nothing', async () => {
    const other = makeRepo();
    const before = await sessionCount();
    const res = await clientWith(world.server, bobToken).raw('POST', '/api/sessions', { repo: other });
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'repo_not_allowed' } } });
    expect(JSON.stringify(res.body)).toContain(other);
    expect(await sessionCount()).toBe(before);
    const allowed = await clientWith(world.server, bobToken).raw('POST', '/api/sessions', {
      repo: `${world.repo}/`,
    });
    expect(allowed.status).toBe(201);
    expect((allowed.body as Session).repo).toBeDefined();
  });
});

describe('a person taken off the allow-list', () => {
  it('is refused at once with 403, by token and by cookie', async () => {
    const server = await world.restart({ allow: { emails: [ADA.email], domains: [], githubOrgs: [] } });
    await expect(clientWith(server, bobToken).me()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    expect(await asBrowser(server, bobCookie, 'GET', '/api/me')).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await clientWith(server, adaToken).me()).person?.email).toBe(ADA.email);
  });
});
