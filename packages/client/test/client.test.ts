import { createServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NightshiftClient } from '@nightshift/client';
import { eventually, makeRepo, startTestServer, type TestServer } from '../../server/test/support/harness.js';
import { ScriptedRunner } from '../../server/test/support/scripted-runner.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the client against a real server', () => {
  let server: TestServer;
  let client: NightshiftClient;
  let repo: string;

  beforeAll(async () => {
    server = await startTestServer({
      runner: new ScriptedRunner({ autoComplete: true }),
      model: 'test/model',
    });
    client = new NightshiftClient({ baseUrl: server.url });
    repo = makeRepo();
  });
  afterAll(async () => server.stopAndClean());

  it('answers with what the protocol says, checked', async () => {
    expect(await client.health()).toMatchObject({ ok: true, version: expect.any(String) });
    const session = await client.createSession({ repo, title: 'From the client' });
    expect(session).toMatchObject({ repo, title: 'From the client', status: 'created' });
    expect(await client.getSession(session.id)).toEqual(session);
    expect((await client.listSessions('active')).map((s) => s.id)).toContain(session.id);

    const accepted = await client.prompt(session.id, { text: 'hello', author: ada });
    expect(accepted).toMatchObject({ messageId: expect.stringMatching(/^msg_/), position: 0 });
    await eventually(async () => (await client.messages(session.id))[0]?.status === 'completed');
    const events = await client.events(session.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toContain('prompt_completed');
    expect(await client.artifacts(session.id)).toEqual([]);

    expect((await client.archive(session.id)).status).toBe('archived');
    expect((await client.unarchive(session.id)).status).not.toBe('archived');
    await client.deleteSession(session.id);
    expect((await failure(client.getSession(session.id))).status).toBe(404);
  });

  it('pages through a timeline in order, each event once', async () => {
    const session = await client.createSession({ repo });
    for (const text of ['one', 'two', 'three']) await client.prompt(session.id, { text, author: ada });
    await eventually(async () => (await client.messages(session.id)).every((m) => m.status === 'completed'));
    const all = await client.events(session.id, { limit: 10_000 });
    const pages: number[][] = [];
    for await (const page of client.eventPages(session.id, { limit: 4 })) pages.push(page.map((e) => e.seq));
    expect(pages.every((page) => page.length <= 4)).toBe(true);
    expect(pages.flat()).toEqual(all.map((e) => e.seq));
    const later: number[] = [];
    for await (const page of client.eventPages(session.id, { after: 5, limit: 4 }))
      later.push(...page.map((e) => e.seq));
    expect(later).toEqual(all.filter((e) => e.seq > 5).map((e) => e.seq));
  });

  it('a refusal carries the server’s status, code and message', async () => {
    const missing = await failure(client.getSession('ses_nope'));
    expect(missing).toMatchObject({ kind: 'refused', status: 404, code: 'not_found', field: null });
    expect(missing.message).toBe('session ses_nope not found');

    const session = await client.createSession({ repo });
    await client.archive(session.id);
    const archived = await failure(client.prompt(session.id, { text: 'too late', author: ada }));
    expect(archived).toMatchObject({ kind: 'refused', status: 409 });

    const unreadable = await failure(client.createSession({ repo: '/nonexistent/nightshift-repo' }));
    expect(unreadable).toMatchObject({ kind: 'refused', status: 422, code: 'repo_unreadable' });
  });

  it('refuses bad input before sending it, exactly as the server would, naming the field', async () => {
    const before = await client.listSessions();
    const body = { repo: 'not a url' };
    const refused = await failure(client.createSession(body));
    expect(refused).toMatchObject({
      kind: 'invalid_input',
      status: 400,
      code: 'invalid_request',
      field: 'repo',
    });
    expect(refused.detail).toMatch(/^must be a git URL/);
    expect(await client.listSessions()).toEqual(before);

    // Sent anyway, the server says the same.
    const raw = await client.raw('POST', '/api/sessions', body);
    expect(raw.status).toBe(400);
    expect(raw.body).toMatchObject({ error: { code: 'invalid_request', message: refused.message } });

    const session = before[0] ?? (await client.createSession({ repo }));
    const badAuthor = await failure(
      client.prompt(session.id, { text: 'x', author: { name: 'A', email: 'nope' } }),
    );
    expect(badAuthor.field).toBe('author.email');
  });

  it('the raw escape hatch sends anything and checks nothing', async () => {
    const broken = await client.raw('POST', '/api/sessions', '[1,2');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: { code: 'invalid_json' } });
    const unknown = await client.raw('PATCH', '/api/sessions');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});

describe('the client against what is not a Nightshift server of its version', () => {
  let other: Server;
  let url: string;

  beforeAll(async () => {
    other = createServer((req, res) => {
      if (req.url === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"green"}');
      } else res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => other.close(() => resolve())));

  it('an answer of the wrong shape is a clear error, naming the route', async () => {
    const error = await failure(new NightshiftClient({ baseUrl: url }).health());
    expect(error.kind).toBe('unexpected_answer');
    expect(error.message).toMatch(
      new RegExp(
        `^unexpected answer from ${url}/api/health \\(.*ok.*\\); is this a Nightshift server of the same version\\?$`,
      ),
    );
  });

  it('an error that is not the protocol’s keeps its status and says what answered', async () => {
    const error = await failure(new NightshiftClient({ baseUrl: url }).getSession('ses_1'));
    expect(error).toMatchObject({ kind: 'refused', status: 502, code: 'unexpected_response' });
    expect(error.message).toBe(`the server at ${url} answered 502 Bad Gateway (not a Nightshift server?)`);
  });

  it('nothing listening and nothing answering are told apart', async () => {
    const refused = await failure(new NightshiftClient({ baseUrl: 'http://127.0.0.1:1' }).health());
    expect(refused).toMatchObject({ kind: 'unreachable', status: 0 });

    // Accepts connections and never answers.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const error = await failure(new NightshiftClient({ baseUrl: at, timeoutMs: 300 }).health());
      expect(error).toMatchObject({ kind: 'timeout', status: 0 });
      expect(error.message).toBe(`the server at ${at} did not answer within 0.3 s`);
    } finally {
      silent.close();
    }
  });
});
