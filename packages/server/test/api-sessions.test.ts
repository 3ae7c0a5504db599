import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '@nightshift/protocol';
import { makeRepo, startTestServer, type TestServer } from './support/harness.js';

let server: TestServer;
let repo: string;

beforeAll(async () => {
  server = await startTestServer();
  repo = makeRepo();
});
afterAll(async () => server.stopAndClean());

describe('sessions API', () => {
  it('reports health with a version', async () => {
    const res = await server.api<{ ok: boolean; version: string }>('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('creates a session on the repository default branch with its own working branch', async () => {
    const res = await server.api<Session>('POST', '/api/sessions', { repo, title: 'Fix the thing' });
    expect(res.status).toBe(201);
    const session = Session.parse(res.body);
    expect(session).toMatchObject({
      repo,
      baseBranch: 'main',
      title: 'Fix the thing',
      status: 'created',
      sandbox: { status: 'none' },
      queue: { running: null, queued: [] },
    });
    expect(session.branch).toMatch(/^nightshift\/[0-9a-z]{8}$/);
    const got = await server.api<Session>('GET', `/api/sessions/${session.id}`);
    expect(got.body).toEqual(session);
  });

  it('honours an existing base branch and refuses a missing one with 422', async () => {
    const other = makeRepo(undefined, 'trunk');
    const ok = await server.api<Session>('POST', '/api/sessions', { repo: other, baseBranch: 'trunk' });
    expect(ok.status).toBe(201);
    expect(ok.body.baseBranch).toBe('trunk');
    const missing = await server.api<{ error: { message: string } }>('POST', '/api/sessions', {
      repo: other,
      baseBranch: 'nope',
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toContain('baseBranch');
  });

  it('answers 422 for a repository that cannot be read, and creates nothing', async () => {
    const before = await server.api<{ sessions: Session[] }>('GET', '/api/sessions');
    const res = await server.api<{ error: { code: string; message: string } }>('POST', '/api/sessions', {
      repo: '/definitely/not/a/repo',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('repo_unreadable');
    expect(res.body.error.message).toMatch(/^repo: /);
    const after = await server.api<{ sessions: Session[] }>('GET', '/api/sessions');
    expect(after.body.sessions.length).toBe(before.body.sessions.length);
  });

  it('lists sessions newest first and filters by status; archive and unarchive move them', async () => {
    const a = (await server.api<Session>('POST', '/api/sessions', { repo, title: 'A' })).body;
    const b = (await server.api<Session>('POST', '/api/sessions', { repo, title: 'B' })).body;
    const all = (await server.api<{ sessions: Session[] }>('GET', '/api/sessions')).body.sessions;
    expect(all.findIndex((s) => s.id === b.id)).toBeLessThan(all.findIndex((s) => s.id === a.id));

    const archived = await server.api<Session>('POST', `/api/sessions/${a.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    const active = (await server.api<{ sessions: Session[] }>('GET', '/api/sessions?status=active')).body
      .sessions;
    const arch = (await server.api<{ sessions: Session[] }>('GET', '/api/sessions?status=archived')).body
      .sessions;
    expect(active.map((s) => s.id)).not.toContain(a.id);
    expect(active.map((s) => s.id)).toContain(b.id);
    expect(arch.map((s) => s.id)).toEqual(expect.arrayContaining([a.id]));

    const again = await server.api('POST', `/api/sessions/${a.id}/archive`);
    expect(again.status).toBe(409);
    const restored = await server.api<Session>('POST', `/api/sessions/${a.id}/unarchive`);
    expect(restored.body.status).toBe('created');
    expect((await server.api('POST', `/api/sessions/${a.id}/unarchive`)).status).toBe(409);
  });

  it('deletes a session with everything in it', async () => {
    const s = (await server.api<Session>('POST', '/api/sessions', { repo })).body;
    await server.api('POST', `/api/sessions/${s.id}/prompts`, { text: 'hello' });
    expect((await server.api('DELETE', `/api/sessions/${s.id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/sessions/${s.id}`)).status).toBe(404);
    expect((await server.api('GET', `/api/sessions/${s.id}/events`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/sessions/${s.id}`)).status).toBe(404);
  });

  it('accepts warm with 202', async () => {
    const s = (await server.api<Session>('POST', '/api/sessions', { repo })).body;
    expect((await server.api('POST', `/api/sessions/${s.id}/warm`)).status).toBe(202);
  });
});
