/**
 * Attacks on the control plane's front door from inside a real bubblewrap sandbox (issue 9,
 * items 1 and 6, and the git endpoint's paths from 9): the one request that used to kill the
 * server, and a gzip bomb pushed with a sandbox's stolen git credential. After each, the server
 * answers and the other sessions carry on.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/sandboxes/bridge-endpoint.js';
import { gitPasswordFor } from '../../src/scm/git-auth.js';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';
import { launcherSecrets } from '../support/secret-probes.js';
import {
  bashRawRequests,
  gzipBomb,
  NO_ROUTE,
  pushCommands,
  rawExchange,
  sectionsOf,
  statusOf,
} from '../support/raw-http.js';

let stack: ShellStack;
let port: number;

beforeAll(async () => {
  stack = await startShellStack();
  port = Number(new URL(stack.server.url).port);
});
afterAll(async () => {
  await stack?.close();
});

const health = async () => (await fetch(`${stack.server.url}/api/health`)).status;

/** One raw request per section, each with the headers every request needs. */
function rawFromSandbox(requests: Array<[name: string, head: string, body?: Buffer]>): string {
  return bashRawRequests(
    requests.map(([name, head, body = Buffer.alloc(0)]) => ({
      name,
      bytes: Buffer.concat([
        Buffer.from(
          `${head}\r\nHost: x\r\nConnection: close\r\ncontent-length: ${body.length}\r\n\r\n`,
          'latin1',
        ),
        body,
      ]),
    })),
  );
}

/** Answered with a client error: never a 5xx, never silence. */
function expectRefused(section: string | undefined, name: string): void {
  expect(section, name).toBeDefined();
  expect(section, `${name}: the sandbox reaches the control plane where its git does`).not.toContain(
    NO_ROUTE,
  );
  const status = statusOf(section!.trimStart());
  expect(status, `${name}: ${section!.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(status, name).toBeLessThan(500);
}

describe('the front door, attacked from a sandbox', () => {
  it('answers the request that used to crash it with 400, and other sessions carry on', async () => {
    const bystander = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'bystander\n' }));
    expect(await stack.agentRuns(bystander.id, 'echo bystander-before')).toContain('bystander-before');

    const attacker = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'attacker\n' }));
    const output = await stack.agentRuns(
      attacker.id,
      rawFromSandbox([
        ['crash', 'GET //a:99999/ HTTP/1.1'],
        ['crash upgrade', 'GET //a:99999/ HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade'],
        ['host in path', 'GET //127.0.0.1/api/sessions HTTP/1.1'],
        ['backslash', 'GET /\\a HTTP/1.1'],
        ['bad escape', `GET /git/${attacker.id}.git/%E0%A4%A/info/refs HTTP/1.1`],
      ]),
    );
    const { target, ...answers } = sectionsOf(output);
    expect(target, 'the sandbox has a git remote at the control plane').toMatch(/^[\d.]+:\d+\n/);
    expect(Object.keys(answers)).toEqual([
      'crash',
      'crash upgrade',
      'host in path',
      'backslash',
      'bad escape',
    ]);
    for (const [name, section] of Object.entries(answers)) expectRefused(section, name);

    // The server is up, for everyone: its API, and the other session's sandbox.
    expect(await health()).toBe(200);
    expect(await stack.agentRuns(bystander.id, 'echo bystander-after')).toContain('bystander-after');
  }, 240_000);

  it('refuses every path to receive-pack but the exact one, so the branch rule cannot be skipped', async () => {
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'paths\n' }));
    // The agent pushes the base branch by whatever path reaches git's receive-pack, with its own
    // sandbox's git credential (its git would use it; here the test hands it over).
    await stack.agentRuns(session.id, 'true');
    const password = gitCredential(session.id);
    const auth = Buffer.from(`x:${password}`).toString('base64');
    const commands = pushCommands('refs/heads/main');
    const paths = [
      '//git-receive-pack',
      '/x/git-receive-pack',
      '/%2e/git-receive-pack',
      '/git-receive-pack/',
    ];
    const output = await stack.agentRuns(
      session.id,
      rawFromSandbox(
        paths.map((p) => [
          p,
          `POST /git/${session.id}.git${p} HTTP/1.1\r\nAuthorization: Basic ${auth}\r\ncontent-type: application/x-git-receive-pack-request`,
          commands,
        ]),
      ),
    );
    const { target, ...answers } = sectionsOf(output);
    expect(target).toMatch(/^[\d.]+:\d+\n/);
    expect(Object.keys(answers)).toEqual(paths);
    for (const p of paths) expectRefused(answers[p], p);
    expect(await health()).toBe(200);
  }, 240_000);

  it('refuses a gzip bomb pushed with a stolen git credential with 413, answering everyone meanwhile', async () => {
    const repo = makeRepoWithFiles({ 'README.md': 'bomb\n' });
    const victim = await stack.api.createSession(repo);
    await stack.agentRuns(victim.id, 'true'); // its sandbox is up, and stays up while idle
    const password = gitCredential(victim.id);
    const branch = `refs/heads/${victim.branch}`;
    // 1 MB on the wire, 1 GiB inflated, starting with a valid update of the session's own branch.
    const bomb = await gzipBomb(1024 ** 3, pushCommands(branch));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);

    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const push = request({
      host: '127.0.0.1',
      port,
      path: `/git/${victim.id}.git/git-receive-pack`,
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`x:${password}`).toString('base64')}`,
        'content-type': 'application/x-git-receive-pack-request',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      },
    });
    const answered = new Promise<number>((resolve, reject) => {
      push.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      push.on('error', reject);
    });
    // All but the last bytes: the server is inflating while the push is still open.
    const held = 4096;
    push.write(bomb.subarray(0, bomb.length - held));
    expect(await health()).toBe(200);
    expect(
      statusOf(await rawExchange(port, 'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')),
    ).toBe(200);
    push.end(bomb.subarray(bomb.length - held));
    expect(await answered).toBe(413);
    const grew = process.resourceUsage().maxRSS * 1024 - peakBefore;
    console.log(
      `gzip bomb: ${bomb.length} bytes on the wire, 1 GiB inflated; refused 413; peak RSS grew ${(grew / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(grew).toBeLessThan(256 * 1024 * 1024);
    expect(await health()).toBe(200);
    // Nothing reached the repository.
    expect(execFileSync('git', ['-C', repo, 'for-each-ref', branch], { encoding: 'utf8' })).toBe('');
  }, 240_000);
});

/** The sandbox's git credential, as the agent could read it (or derive it from the token it could read). */
function gitCredential(sessionId: string): string {
  const { token, gitPassword } = launcherSecrets(stack.server.dataDir, sessionId);
  const password = gitPassword || (token && gitPasswordFor(hashToken(token)));
  expect(password, 'the sandbox’s git credential, read from its launcher').toBeTruthy();
  return password;
}
