import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';
import type { Message, PromptAccepted, Session, SessionEvent } from '@nightshift/protocol';
import { eventually, expectContiguous, makeRepo, tempDir, TestClient } from './support/harness.js';
import { RESTART_ERROR } from '../src/sessions/prompt-failures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function spawnServer(dataDir: string, port: number, mode: 'hang' | 'complete') {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'support/serve-scripted.ts'), dataDir, String(port), mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const client = new NightshiftClient({ baseUrl: url, WebSocket });
  const api = async <T>(method: string, route: string, body?: unknown) => {
    const { status, body: answer } = await client.raw(method, route, body);
    return { status, body: answer as T };
  };
  return { child, url, api, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('restart', () => {
  it('after kill -9 the running prompt fails with a reason, the queue continues, nothing is lost', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await spawnServer(dataDir, port, 'hang');
    const session = (
      await first.api<Session>('POST', '/api/sessions', { repo: makeRepo(), title: 'survivor' })
    ).body;
    const a = (await first.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'a' }))
      .body;
    const b = (await first.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'b' }))
      .body;
    const watcher = new TestClient(`${first.url.replace('http', 'ws')}/api/sessions/${session.id}/ws`);
    await watcher.waitFor(() => watcher.events().some((e) => e.type === 'sandbox_event'));
    const seen = watcher.events();
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawnServer(dataDir, port, 'complete');
    await eventually(async () => {
      const msgs = (await second.api<{ messages: Message[] }>('GET', `/api/sessions/${session.id}/messages`))
        .body.messages;
      return msgs.every((m) => m.status === 'failed' || m.status === 'completed');
    });
    const msgs = (await second.api<{ messages: Message[] }>('GET', `/api/sessions/${session.id}/messages`))
      .body.messages;
    expect(msgs.map((m) => [m.id, m.status])).toEqual([
      [a.messageId, 'failed'],
      [b.messageId, 'completed'],
    ]);
    expect(msgs[0]!.error).toBe(RESTART_ERROR);
    const events = (await second.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`))
      .body.events;
    expectContiguous(events);
    // Every event a client saw before the crash is still there, unchanged.
    expect(events.slice(0, seen.length)).toEqual(seen);
    expect((await second.api<Session>('GET', `/api/sessions/${session.id}`)).body.title).toBe('survivor');
    second.child.kill('SIGKILL');
  });

  it('SIGTERM closes sockets, flushes writes and exits 0; a client resumes without gaps', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await spawnServer(dataDir, port, 'complete');
    const session = (await first.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
    const client = new TestClient(`${first.url.replace('http', 'ws')}/api/sessions/${session.id}/ws`);
    for (let i = 0; i < 20; i++)
      await first.api('POST', `/api/sessions/${session.id}/prompts`, { text: `p${i}` });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await eventually(() => client.closed !== null);
    expect(client.closed!.code).toBe(1001);

    const second = await spawnServer(dataDir, port, 'complete');
    const last = client.events().at(-1)?.seq ?? 0;
    const resumed = new TestClient(
      `${second.url.replace('http', 'ws')}/api/sessions/${session.id}/ws?after=${last}`,
    );
    const stored = (
      await second.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events?limit=10000`)
    ).body.events;
    await resumed.waitFor(() => (resumed.events().at(-1)?.seq ?? last) >= stored.at(-1)!.seq);
    expect([...client.events(), ...resumed.events()]).toEqual(
      stored.filter((e) => e.seq <= (resumed.events().at(-1)?.seq ?? last)),
    );
    expect(stored.filter((e) => e.type === 'prompt_completed')).toHaveLength(20);
    resumed.close();
    second.child.kill('SIGKILL');
  });
});
