/**
 * A team-mode server with a real OpenID Connect issuer behind it, and helpers to act as its
 * people: by API token (`Authorization: Bearer`) or by the browser session cookie the real
 * sign-in sets.
 */
import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';
import { startOidcIssuer, type OidcIssuer } from '@nightshift/testkit';
import type { AuthConfig } from '../../src/config.js';
import { makeRepo, startTestServer, tempDir, type TestServer } from './harness.js';
import { ScriptedRunner } from './scripted-runner.js';
import { signIn } from './sign-in.js';

export const ADA = { name: 'Ada Lovelace', email: 'ada@acme.test' };
export const BOB = { name: 'Bob Builder', email: 'bob@acme.test' };

export interface TeamWorld {
  issuer: OidcIssuer;
  server: TestServer;
  dataDir: string;
  repo: string;
  auth: Partial<AuthConfig>;
  /** Starts the server again on the same data dir, with some settings changed. */
  restart(changes?: Partial<AuthConfig>): Promise<TestServer>;
  close(): Promise<void>;
}

export async function startTeamWorld(changes: Partial<AuthConfig> = {}): Promise<TeamWorld> {
  const issuer = await startOidcIssuer({ accounts: [ADA, BOB] });
  const repo = makeRepo();
  const dataDir = tempDir('ns-team-');
  const auth: Partial<AuthConfig> = {
    mode: 'oidc',
    oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
    allow: { emails: [ADA.email, BOB.email], domains: [], githubOrgs: [] },
    admins: [ADA.email],
    allowedRepos: [repo],
    ...changes,
  };
  const start = (a: Partial<AuthConfig>) =>
    startTestServer({ dataDir, auth: a, runner: new ScriptedRunner({ autoComplete: true }) });
  const world: TeamWorld = {
    issuer,
    server: await start(auth),
    dataDir,
    repo,
    auth,
    async restart(more = {}) {
      await world.server.close();
      world.server = await start({ ...auth, ...more });
      return world.server;
    },
    async close() {
      await world.server.stopAndClean();
      await issuer.close();
    },
  };
  return world;
}

/** Signs in through the issuer and answers the `Cookie` header value a browser would send. */
export async function cookieOf(server: TestServer, issuer: OidcIssuer, email: string): Promise<string> {
  return (await signIn(server.url, { via: 'oidc', issuer, email })).cookie;
}

/** A client signed in as the owner of `cookie`, through a token it creates. */
export async function tokenFor(server: TestServer, cookie: string, name = 'tests'): Promise<string> {
  const res = await asBrowser(server, cookie, 'POST', '/api/tokens', { name });
  if (res.status !== 201) throw new Error(`token not created: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}

export function clientWith(server: TestServer, token: string): NightshiftClient {
  return new NightshiftClient({ baseUrl: server.url, token, WebSocket });
}

/** A request as a page of this server sends it: its cookie, and its own Origin on writes. */
export async function asBrowser(
  server: TestServer,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
  origin: string | null = server.url,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { cookie };
  if (origin !== null) headers.origin = origin;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Opens a session socket with these headers; answers the socket, or the status it was refused with. */
export function openSocket(
  server: TestServer,
  sessionId: string,
  headers: Record<string, string>,
): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> } | { refused: number; body: string }> {
  const url = `${server.url.replace('http', 'ws')}/api/sessions/${sessionId}/ws`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ refused: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}
