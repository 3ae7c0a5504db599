/**
 * Fuzzing the live server (issue 9: it never dies of one request): seeded malformed request
 * lines, paths, headers, bodies and WebSocket upgrades over raw TCP, in batches from the test and
 * one batch from inside a real sandbox. After each batch the server answers /api/health, and no
 * garbage was answered with a 5xx. A failure prints its seed: NIGHTSHIFT_FUZZ_SEED=<seed> replays it.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@nightshift/protocol';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';
import { fuzzCases, knownBadCases, type FuzzCase, type FuzzTargets } from '../support/fuzz-requests.js';
import { launcherSecrets } from '../support/secret-probes.js';
import { hashToken } from '../../src/sandboxes/bridge-endpoint.js';
import { gitPasswordFor } from '../../src/scm/git-auth.js';
import { bashRawRequests, NO_ROUTE, rawExchange, sectionsOf, statusOf } from '../support/raw-http.js';

const SEED = Number(process.env.NIGHTSHIFT_FUZZ_SEED ?? randomInt(2 ** 31));
const BATCHES = 4;
const PER_BATCH = 150;
const IN_SANDBOX = 40;

let stack: ShellStack;
let port: number;
let session: Session;
let targets: FuzzTargets;

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay: NIGHTSHIFT_FUZZ_SEED=${SEED})`);
  stack = await startShellStack();
  port = Number(new URL(stack.server.url).port);
  session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'fuzz\n' }));
  await stack.agentRuns(session.id, 'true'); // its sandbox is up, and stays up while idle
  const { token, gitPassword } = launcherSecrets(stack.server.dataDir, session.id);
  targets = { sessionId: session.id, gitPassword: gitPassword || gitPasswordFor(hashToken(token)) };
});
afterAll(async () => {
  await stack?.close();
});

async function healthy(): Promise<void> {
  const answer = await rawExchange(port, 'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(statusOf(answer), `seed ${SEED}: /api/health after a batch`).toBe(200);
}

/** How many answers had each status ('none': the connection closed without one). */
const tally: Record<string, number> = {};
const count = (status: number | undefined) => (tally[status ?? 'none'] = (tally[status ?? 'none'] ?? 0) + 1);

/** Sends the cases, a few connections at a time; returns those answered with a 5xx. */
async function serverErrors(cases: FuzzCase[]): Promise<string[]> {
  const failures: string[] = [];
  const queue = [...cases];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const status = statusOf(await rawExchange(port, next.bytes, { giveUpMs: 5000 }));
      count(status);
      if (status !== undefined && status >= 500) failures.push(`${next.name} → ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return failures;
}

describe('the server, fuzzed', () => {
  it(`stays up and answers no garbage with a 5xx (seed ${SEED})`, async () => {
    for (let batch = 0; batch < BATCHES; batch++) {
      const cases = [
        ...(batch === 0 ? knownBadCases(targets) : []),
        ...fuzzCases(SEED + batch, PER_BATCH, targets),
      ];
      expect(await serverErrors(cases), `seed ${SEED}, batch ${batch}`).toEqual([]);
      await healthy();
    }
    console.log(
      `fuzz: ${Object.values(tally).reduce((a, b) => a + b)} requests from the test, answers by status: ${JSON.stringify(tally)}`,
    );
    // Not only alive: it still does its work.
    expect((await fetch(`${stack.server.url}/api/sessions/${session.id}`)).status).toBe(200);
  }, 300_000);

  it(`stays up when the garbage comes from inside a sandbox (seed ${SEED})`, async () => {
    // Small ones only: the agent's command carries every byte, four times over as octal.
    const known = knownBadCases(targets).filter((c) => c.name.startsWith('known GET'));
    const cases = [
      ...known,
      ...fuzzCases(SEED + BATCHES, IN_SANDBOX * 5, targets)
        .filter((c) => c.bytes.length < 1500)
        .slice(0, IN_SANDBOX),
    ];
    const named = cases.map((c, i) => ({ name: `case-${i}`, bytes: c.bytes }));
    const output = await stack.agentRuns(session.id, bashRawRequests(named, 10), {
      timeoutMs: 240_000,
    });
    const { target, ...answers } = sectionsOf(output);
    console.log(`fuzz: from inside the sandbox to ${target!.trim()} (where its git remote points)`);
    expect(Object.keys(answers), `seed ${SEED}: every case ran; output: ${output.slice(0, 500)}`).toEqual(
      named.map((c) => c.name),
    );
    const unreachable = Object.values(answers).filter((a) => a.includes(NO_ROUTE)).length;
    expect(unreachable, `seed ${SEED}: cases that could not reach where the sandbox's git does`).toBe(0);
    const statuses = named.map((c, i) => ({
      name: cases[i]!.name,
      status: statusOf(answers[c.name]!.trimStart()),
    }));
    const inside: Record<string, number> = {};
    for (const { status } of statuses) inside[status ?? 'none'] = (inside[status ?? 'none'] ?? 0) + 1;
    console.log(
      `fuzz: ${cases.length} requests from inside a sandbox, answers by status: ${JSON.stringify(inside)}`,
    );
    const errors = statuses.filter(({ status }) => status !== undefined && status >= 500);
    expect(errors, `seed ${SEED}: answered with a 5xx from inside the sandbox`).toEqual([]);
    await healthy();
    // The sandbox that sent it all still runs its agent.
    expect(await stack.agentRuns(session.id, 'echo still-here')).toContain('still-here');
  }, 300_000);
});
