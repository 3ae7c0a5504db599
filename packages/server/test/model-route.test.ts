/**
 * The door's model route, against a real upstream HTTP server and a real door socket: a sandbox
 * with its own network reaches the configured model endpoint through it, and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frontDoor } from '../src/http/front-door.js';
import { listen } from '../src/http/listen.js';
import { modelRoute } from '../src/http/model-route.js';
import { SandboxDoors } from '../src/http/sandbox-door.js';
import { createLogger } from '../src/log.js';

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await listen(server, '127.0.0.1', 0);
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A control plane's HTTP server with one session's door; `baseUrl` is the configured model endpoint. */
async function controlPlane(baseUrl: string | null): Promise<{ socketPath: string; publicUrl: string }> {
  const log = createLogger('silent');
  const doors = new SandboxDoors(log);
  const notFound = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(404).end('app');
  const server = await serve(
    frontDoor({
      gate: null,
      doorOf: (req) => doors.sessionOf(req),
      git: async (_req, res) => void res.writeHead(404).end('git'),
      model: modelRoute(baseUrl, log),
      app: notFound,
      log,
    }),
  );
  doors.attach(server);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-model-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = path.join(dir, 'door', 'control.sock');
  const door = await doors.open('ses_1', socketPath);
  cleanup.push(() => door.close());
  return { socketPath, publicUrl: urlOf(server) };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  /** Resolves with each chunk's text as it arrives, then with null at the end. */
  chunks: AsyncIterable<string>;
}

function send(
  target: { socketPath: string } | { url: string },
  method: string,
  pathname: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options =
      'socketPath' in target
        ? { socketPath: target.socketPath, path: pathname }
        : { host: new URL(target.url).hostname, port: new URL(target.url).port, path: pathname };
    const req = request({ ...options, method, headers }, (res) =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        chunks: (async function* () {
          for await (const chunk of res) yield (chunk as Buffer).toString();
        })(),
      }),
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function text(reply: Reply): Promise<string> {
  let all = '';
  for await (const chunk of reply.chunks) all += chunk;
  return all;
}

describe('the door’s model route', () => {
  it('passes method, path, query, headers and body to the configured endpoint, and its answer back', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const upstream = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' }).end('{"ok":true}');
      });
    });
    const { socketPath } = await controlPlane(`${urlOf(upstream)}/v1`);
    const reply = await send(
      { socketPath },
      'POST',
      '/model/openai-compatible/chat/completions?x=1',
      '{"model":"m"}',
      { authorization: 'Bearer k', 'content-type': 'application/json' },
    );
    expect(reply.status).toBe(201);
    expect(reply.headers['x-upstream']).toBe('yes');
    expect(await text(reply)).toBe('{"ok":true}');
    expect(seen).toEqual([
      { method: 'POST', url: '/v1/chat/completions?x=1', auth: 'Bearer k', body: '{"model":"m"}' },
    ]);
  });

  it('streams an SSE reply: a chunk arrives before the endpoint has finished answering', async () => {
    let finish = () => {};
    const upstream = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      finish = () => res.end('data: [DONE]\n\n');
    });
    const { socketPath } = await controlPlane(urlOf(upstream));
    const reply = await send({ socketPath }, 'POST', '/model/openai-compatible/chat/completions', '{}');
    const chunks = reply.chunks[Symbol.asyncIterator]();
    // The endpoint is still holding its reply open here: only streaming lets this chunk through.
    expect((await chunks.next()).value).toBe('data: first\n\n');
    finish();
    let rest = '';
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += next.value;
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('answers 502 with a short message when the endpoint refuses the connection, and keeps serving', async () => {
    const dead = await serve(() => {});
    const deadUrl = urlOf(dead);
    dead.closeAllConnections();
    await new Promise<void>((r) => dead.close(() => r()));
    const { socketPath } = await controlPlane(deadUrl);
    for (let i = 0; i < 2; i++) {
      const reply = await send({ socketPath }, 'GET', '/model/openai-compatible/models');
      expect(reply.status).toBe(502);
      expect(JSON.parse(await text(reply))).toMatchObject({ error: { code: 'model_unreachable' } });
    }
  });

  it('reaches nothing but the configured endpoint', async () => {
    const paths: string[] = [];
    const configured = await serve((req, res) => {
      paths.push(req.url ?? '');
      res.end('configured');
    });
    const other = await serve((_req, res) => res.end('other'));
    const otherPort = new URL(urlOf(other)).port;
    const { socketPath } = await controlPlane(`${urlOf(configured)}/v1`);
    for (const attempt of [
      `/model/openai-compatible/../../x`,
      `/model/openai-compatible//127.0.0.1:${otherPort}/`,
      `/model/openai-compatible@127.0.0.1:${otherPort}/`,
      `/model/openai-compatible/%2e%2e/%2e%2e/x`,
    ]) {
      const reply = await send({ socketPath }, 'GET', attempt, undefined, { host: `127.0.0.1:${otherPort}` });
      expect(await text(reply), attempt).not.toBe('other');
    }
    // Absolute-form targets, as a forward proxy would take them, are not followed either.
    const absolute = await send(
      { socketPath },
      'GET',
      `http://127.0.0.1:${otherPort}/model/openai-compatible/`,
    );
    expect(await text(absolute)).not.toBe('other');
    for (const p of paths) expect(p.startsWith('/v1')).toBe(true);
  });

  it('is not there on the public port, nor without a configured endpoint', async () => {
    const upstream = await serve((_req, res) => res.end('model'));
    const { publicUrl } = await controlPlane(urlOf(upstream));
    const open = await send({ url: publicUrl }, 'GET', '/model/openai-compatible/models');
    expect(await text(open)).not.toBe('model');
    const { socketPath } = await controlPlane(null);
    const none = await send({ socketPath }, 'GET', '/model/openai-compatible/models');
    expect(none.status).toBe(404);
    expect(JSON.parse(await text(none))).toMatchObject({ error: { code: 'model_not_configured' } });
  });
});
