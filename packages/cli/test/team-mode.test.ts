import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, Session } from '@nightshift/protocol';
import { startOidcIssuer, type OidcIssuer } from '@nightshift/testkit';
import { startServer, type RunningServer } from '@nightshift/server';
import { NightshiftClient } from '@nightshift/client';
import { signIn } from '../../server/test/support/sign-in.js';
import { runCli, tempDir, type CliResult } from './support/cli.js';
import { makeRepo, removeDir, startTestServer, type TestServer } from './support/server.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const ADA = { email: 'ada@example.com', name: 'Ada Lovelace' };
const GRACE = { email: 'grace@example.com', name: 'Grace Hopper' };

/** Git configuration naming someone else, as a shared machine's might. */
const MALLORY_GIT = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_COUNT: '2',
  GIT_CONFIG_KEY_0: 'user.name',
  GIT_CONFIG_VALUE_0: 'Mallory Mallet',
  GIT_CONFIG_KEY_1: 'user.email',
  GIT_CONFIG_VALUE_1: 'mallory@example.com',
};

function oneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
}

describe('the CLI against a team-mode server (OpenID Connect, a real issuer, real sign-in)', () => {
  let issuer: OidcIssuer;
  let server: RunningServer;
  let url: string;
  let dataDir: string;
  let repo: string;
  let configHome: string;
  /** API tokens made through the real sign-in and POST /api/tokens, as the web UI makes them. */
  const tokens = { ada: '', grace: '' };
  /** Everything every command printed, to look for tokens in. */
  const printed: string[] = [];

  const cli = async (
    args: string[],
    env: Record<string, string> = {},
    input?: string,
  ): Promise<CliResult> => {
    const r = await runCli(args, {
      env: { NIGHTSHIFT_URL: url, XDG_CONFIG_HOME: configHome, ...env },
      cwd: repo,
      ...(input !== undefined ? { input } : {}),
    });
    printed.push(r.stdout, r.stderr);
    return r;
  };
  const credentialsFile = () => path.join(configHome, 'nightshift', 'credentials.json');
  const asAdmin = () => new NightshiftClient({ baseUrl: url, token: tokens.ada });

  async function createToken(email: string): Promise<string> {
    const { cookie } = await signIn(url, { via: 'oidc', issuer, email });
    const res = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: { cookie, origin: url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli test' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  }

  beforeAll(async () => {
    issuer = await startOidcIssuer({ accounts: [ADA, GRACE] });
    dataDir = tempDir('ns-cli-team-');
    repo = makeRepo();
    configHome = tempDir('ns-cli-config-');
    server = await startServer({
      port: 0,
      dataDir,
      logLevel: 'silent',
      model: 'scripted/agent',
      killSandboxesOnClose: true,
      runner: new ScriptedAgent(),
      auth: {
        mode: 'oidc',
        oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret },
        allow: { emails: [ADA.email, GRACE.email], domains: [], githubOrgs: [] },
        admins: [ADA.email],
        allowedRepos: [repo],
      },
    });
    url = server.url;
    tokens.ada = await createToken(ADA.email);
    tokens.grace = await createToken(GRACE.email);
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
    for (const dir of [dataDir, repo, configHome]) if (dir) removeDir(dir);
    // Whatever happened above, no token was ever printed.
    for (const text of printed) {
      expect(text).not.toContain(tokens.ada);
      expect(text).not.toContain(tokens.grace);
    }
  });

  it('without a token every command says how to sign in, in one line', async () => {
    const r = await cli(['sessions']);
    expect(r.code).toBe(8);
    oneLine(r.stderr);
    expect(r.stderr).toBe(`nightshift: not signed in to ${url}: run \`nightshift login --server ${url}\`\n`);
  });

  it('a bad token: a clear one-line error, non-zero exit, nothing stored', async () => {
    const r = await cli(['login', '--token', 'nst_not_a_real_token']);
    expect(r.code).toBe(8);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${url} refused that token`);
    expect(r.stderr).toContain('nothing was saved');
    expect(existsSync(credentialsFile())).toBe(false);

    const piped = await cli(['login'], {}, 'nst_also_wrong\n');
    expect(piped.code).toBe(8);
    expect(existsSync(credentialsFile())).toBe(false);
  });

  it('login reads a piped token, checks it, and keeps it for this server alone (0600 in a 0700 dir)', async () => {
    const r = await cli(['login'], {}, `${tokens.ada}\n`);
    expect(r.stderr).toContain(`${url}/settings/tokens`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Signed in to ${url} as Ada Lovelace <ada@example.com>\n`);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(credentialsFile())).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Record<string, { email: string }>;
    expect(stored[new URL(url).origin]).toMatchObject({ email: ADA.email, name: ADA.name });

    const whoami = await cli(['whoami']);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`Ada Lovelace <ada@example.com> (admin) on ${url}`);
  });

  it('commands use the stored token; a prompt is the token’s person’s, whatever git config or --author say', async () => {
    const created = await cli(['new', '.', '--json'], MALLORY_GIT);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const session = JSON.parse(created.stdout) as Session;

    const listed = await cli(['sessions', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { sessions: Session[] }).sessions.map((s) => s.id)).toContain(
      session.id,
    );

    // --wait follows the timeline over the WebSocket, which needs the token too.
    const waited = await cli(
      ['prompt', session.id, 'write notes', '--wait', '--json', '--author', 'Eve <eve@example.com>'],
      MALLORY_GIT,
    );
    expect(waited.code).toBe(0);
    expect(waited.stderr).toContain('--author is ignored');
    const message = JSON.parse(waited.stdout) as Message;
    expect(message.author).toEqual({ name: ADA.name, email: ADA.email });
    const commit = (await asAdmin().artifacts(session.id)).find((a) => a.type === 'commit');
    expect((commit?.data as { author?: unknown }).author).toEqual({ name: ADA.name, email: ADA.email });

    const plain = await cli(['prompt', session.id, 'again', '--json'], MALLORY_GIT);
    expect(plain.code).toBe(0);
    const { messageId } = JSON.parse(plain.stdout) as { messageId: string };
    const messages = await asAdmin().messages(session.id);
    expect(messages.find((m) => m.id === messageId)?.author).toEqual({ name: ADA.name, email: ADA.email });
  });

  it('NIGHTSHIFT_TOKEN overrides the stored token, and --token overrides both', async () => {
    const asGrace = await cli(['whoami', '--json'], { NIGHTSHIFT_TOKEN: tokens.grace });
    expect(asGrace.code).toBe(0);
    expect(JSON.parse(asGrace.stdout)).toMatchObject({
      mode: 'team',
      person: { email: GRACE.email, role: 'member' },
      tokenFrom: 'NIGHTSHIFT_TOKEN',
    });
    const flagWins = await cli(['whoami', '--token', tokens.ada], { NIGHTSHIFT_TOKEN: tokens.grace });
    expect(flagWins.stdout).toContain(ADA.email);

    const refused = await cli(['sessions'], { NIGHTSHIFT_TOKEN: 'nst_revoked_or_never_was' });
    expect(refused.code).toBe(8);
    expect(refused.stderr).toBe(
      `nightshift: not signed in to ${url} (it refused the token from NIGHTSHIFT_TOKEN): run \`nightshift login --server ${url}\`\n`,
    );
  });

  it('a refusal keeps its code in the client, and the CLI shows it in one line', async () => {
    const elsewhere = makeRepo();
    try {
      const refused = await new NightshiftClient({ baseUrl: url, token: tokens.grace })
        .createSession({ repo: elsewhere })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused).toMatchObject({ kind: 'refused', status: 403, code: 'repo_not_allowed' });

      const r = await cli(['new', elsewhere], { NIGHTSHIFT_TOKEN: tokens.grace });
      expect(r.code).toBe(1);
      oneLine(r.stderr);
      expect(r.stderr).toContain(elsewhere);
    } finally {
      removeDir(elsewhere);
    }
  });

  it('logout forgets the token: commands are signed out again', async () => {
    const r = await cli(['logout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Signed out of ${url}: its token is forgotten here\n`);
    expect(readFileSync(credentialsFile(), 'utf8')).not.toContain(tokens.ada);
    const after = await cli(['sessions']);
    expect(after.code).toBe(8);
    expect(after.stderr).toContain('not signed in');
    const again = await cli(['logout']);
    expect(again.stdout).toBe(`No token kept for ${url}: nothing to forget\n`);
  });
});

describe('login against a local-mode server', () => {
  let t: TestServer;
  let configHome: string;
  beforeAll(async () => {
    t = await startTestServer();
    configHome = tempDir('ns-cli-config-');
  });
  afterAll(async () => {
    await t.close();
    removeDir(t.dataDir);
    removeDir(configHome);
  });

  it('says no sign-in is needed, asks for nothing and stores nothing', async () => {
    const env = { NIGHTSHIFT_URL: t.url, XDG_CONFIG_HOME: configHome };
    const r = await runCli(['login'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${t.url} is in local mode: no sign-in is needed, nothing was saved\n`);
    expect(r.stderr).toBe('');
    expect(existsSync(path.join(configHome, 'nightshift', 'credentials.json'))).toBe(false);
    const whoami = await runCli(['whoami'], { env });
    expect(whoami.stdout).toBe(`${t.url} is in local mode: nobody signs in\n`);
  });
});
