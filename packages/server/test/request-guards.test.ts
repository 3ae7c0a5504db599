/**
 * One request never takes the server down: a target no URL parser agrees on, a handler that
 * throws, an upgrade that cannot be routed, bytes that are not HTTP. Real server, raw TCP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { frontDoor } from '../src/http/front-door.js';
import { guardServer } from '../src/http/last-resort.js';
import { normaliseRequestTarget } from '../src/http/request-target.js';
import { UpgradeRoutes } from '../src/http/upgrade-routes.js';
import { rawExchange, statusOf } from './support/raw-http.js';

const log = createLogger('silent');
let server: Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer(
    frontDoor({
      gate: null,
      git: async (_req, res) => void res.writeHead(204).end(),
      app: (req, res) => {
        seen.push(req.url!);
        if (req.url === '/throws') throw new Error('handler bug');
        if (req.url === '/rejects') return Promise.reject(new Error('async handler bug'));
        res.writeHead(200).end('ok');
      },
      log,
    }),
  );
  const upgrades = new UpgradeRoutes({
    gate: null,
    bridgePeer: null,
    sessionExists: async () => {
      throw new Error('store is down');
    },
    authenticate: async () => ({ kind: 'local' }),
    acceptSession: () => undefined,
    log,
  });
  server.on('upgrade', upgrades.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  guardServer(server, log);
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (target: string, extra = '') =>
  rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);

describe('the front door', () => {
  it('refuses a target a URL parser would read a host in with 400, and keeps serving', async () => {
    for (const target of ['//a:99999/', '//evil.example/api/sessions', '/\\a', 'http://x/', '*'])
      expect(statusOf(await get(target)), target).toBe(400);
    expect(statusOf(await get('/fine'))).toBe(200);
  });

  it('hands everyone downstream the same normalised path', async () => {
    seen.length = 0;
    expect(statusOf(await get('/a/../b/%2e%2e/c?q=1'))).toBe(200);
    expect(seen).toEqual(['/c?q=1']);
    // A path that leaves /git/ by dot segments is not a git request.
    expect(statusOf(await get('/git/../api'))).toBe(200);
    expect(statusOf(await get('/api/%2e%2e/git/x'))).toBe(204);
  });

  it('answers 500 for a handler that throws or rejects, and the next request is served', async () => {
    const thrown = await get('/throws');
    expect(statusOf(thrown)).toBe(500);
    expect(thrown).toContain('"code":"internal_error"');
    expect(thrown).not.toContain('handler bug');
    expect(statusOf(await get('/rejects'))).toBe(500);
    expect(statusOf(await get('/fine'))).toBe(200);
  });

  it('answers bytes that are not HTTP with 400 and oversized headers with 431', async () => {
    expect(statusOf(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'))).toBe(400);
    expect(statusOf(await get('/fine', `x-big: ${'a'.repeat(20_000)}\r\n`))).toBe(431);
    expect(statusOf(await get('/fine'))).toBe(200);
  });

  it('refuses an upgrade it cannot route with a status, and one whose handler fails with 500', async () => {
    const upgrade = (target: string) =>
      get(
        target,
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
      );
    expect(statusOf(await upgrade('//a:99999/'))).toBe(400);
    expect(statusOf(await upgrade('/api/sessions/%E0%A4%A/ws'))).toBe(400);
    expect(statusOf(await upgrade('/api/sessions/ses_1/ws'))).toBe(500);
    expect(statusOf(await get('/fine'))).toBe(200);
  });
});

describe('request targets', () => {
  it('are normalised paths, or refused', () => {
    expect(normaliseRequestTarget('/git/ses_1.git/../../api/sessions')).toBe('/api/sessions');
    expect(normaliseRequestTarget('/git/%2E%2E/api')).toBe('/api');
    expect(normaliseRequestTarget('/a b?x=%zz')).toBe('/a%20b?x=%zz');
    for (const bad of [undefined, '', '*', '//a:99999/', 'http://h/x', '/\\\\a', '/a/..//b'])
      expect(normaliseRequestTarget(bad), String(bad)).toBeUndefined();
  });
});
