import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@nightshift/protocol';
import { makeRepo, startTestServer, type TestServer } from './support/harness.js';

let server: TestServer;
let session: Session;

beforeAll(async () => {
  server = await startTestServer();
  session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
});
afterAll(async () => server.stopAndClean());

type ErrorBody = { error: { code: string; message: string } };

/** Each case: what a client sent, the status it must get, and the field the message must name. */
const cases: Array<[string, string, unknown, number, string]> = [
  ['POST', '/api/sessions', {}, 400, 'repo'],
  ['POST', '/api/sessions', { repo: 42 }, 400, 'repo'],
  ['POST', '/api/sessions', { repo: 'not a url' }, 400, 'repo'],
  ['POST', '/api/sessions', { repo: '/tmp', baseBranch: 'a..b' }, 400, 'baseBranch'],
  ['POST', '/api/sessions', { repo: '/tmp', model: 'no-slash' }, 400, 'model'],
  ['POST', '/api/sessions', { repo: '/tmp', title: 7 }, 400, 'title'],
  ['POST', '/api/sessions', '[1,2', 400, 'body'],
  ['POST', '/api/sessions', '"a string"', 400, 'body'],
  ['GET', '/api/sessions?status=deleted', undefined, 400, 'status'],
  ['POST', '/api/sessions/:id/prompts', {}, 400, 'text'],
  ['POST', '/api/sessions/:id/prompts', { text: '   ' }, 400, 'text'],
  ['POST', '/api/sessions/:id/prompts', { text: 'x', author: { name: 'A' } }, 400, 'author.email'],
  [
    'POST',
    '/api/sessions/:id/prompts',
    { text: 'x', author: { name: 'A', email: 'nope' } },
    400,
    'author.email',
  ],
  ['POST', '/api/sessions/:id/prompts', { text: 'x', clientRequestId: '' }, 400, 'clientRequestId'],
  ['POST', '/api/sessions/:id/stop', { clearQueue: 'yes' }, 400, 'clearQueue'],
  ['GET', '/api/sessions/:id/events?after=-1', undefined, 400, 'after'],
  ['GET', '/api/sessions/:id/events?after=abc', undefined, 400, 'after'],
  ['GET', '/api/sessions/:id/events?limit=0', undefined, 400, 'limit'],
  ['GET', '/api/sessions/:id/events?limit=1.5', undefined, 400, 'limit'],
];

describe('bad input', () => {
  it.each(cases)('%s %s %j → %i naming %s', async (method, route, body, status, field) => {
    const before = await server.api<{ sessions: Session[] }>('GET', '/api/sessions');
    const res = await server.api<ErrorBody>(method, route.replace(':id', session.id), body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBeTruthy();
    expect(res.body.error.message).toContain(field);
    const after = await server.api<{ sessions: Session[] }>('GET', '/api/sessions');
    expect(after.body.sessions).toEqual(before.body.sessions);
  });

  it('404s unknown sessions, messages and endpoints as JSON', async () => {
    for (const [method, route] of [
      ['GET', '/api/sessions/ses_nope'],
      ['POST', '/api/sessions/ses_nope/prompts'],
      ['GET', '/api/sessions/ses_nope/messages'],
      ['GET', '/api/sessions/ses_nope/events'],
      ['GET', '/api/sessions/ses_nope/artifacts'],
      ['POST', '/api/sessions/ses_nope/archive'],
      ['POST', '/api/sessions/ses_nope/stop'],
      ['DELETE', `/api/sessions/${session.id}/prompts/msg_nope`],
      ['GET', '/api/nothing/here'],
      ['PATCH', '/api/sessions'],
    ] as const) {
      const res = await server.api<ErrorBody>(method, route, method === 'POST' ? { text: 'x' } : undefined);
      expect(res.status, `${method} ${route}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await server.api<ErrorBody>('POST', `/api/sessions/${session.id}/prompts`, {
      text: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('refuses a prompt longer than the prompt limit with 400', async () => {
    const res = await server.api<ErrorBody>('POST', `/api/sessions/${session.id}/prompts`, {
      text: 'x'.repeat(100_001),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('text');
  });

  it('survives a barrage of garbage without a 500', async () => {
    const bodies = [
      '',
      'null',
      '0',
      '{"repo":null}',
      '{"repo":{"$gt":""}}',
      '\u0000\u0001',
      '{"text":["a"]}',
      'x'.repeat(5000),
    ];
    const routes = [
      '/api/sessions',
      `/api/sessions/${session.id}/prompts`,
      `/api/sessions/${session.id}/stop`,
    ];
    for (const route of routes) {
      for (const body of bodies) {
        const res = await fetch(server.url + route, { method: 'POST', body });
        expect(res.status, `${route} ${JSON.stringify(body)}`).toBeLessThan(500);
        const json = await res.json();
        if (res.status >= 400) expect(json).toHaveProperty('error.message');
      }
    }
    expect((await server.api('GET', '/api/health')).status).toBe(200);
  });
});
