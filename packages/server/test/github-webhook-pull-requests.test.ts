// A pull request a session opened, followed through GitHub's deliveries: merged, closed, reviewed,
// checked. Real store, registry and timeline; deliveries signed as GitHub signs them.
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubWebhooks, type GitHubWebhooks } from '../src/github/webhooks/github-webhooks.js';
import { makeRepo, startTestServer, type TestServer } from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';

const SECRET = 'pr-tracking-secret';
const REPO_URL = 'https://github.test/acme/widgets';
const repository = { full_name: 'acme/widgets', html_url: REPO_URL, default_branch: 'main' };

let server: TestServer;
let webhooks: GitHubWebhooks;

beforeEach(async () => {
  server = await startTestServer({ runner: new ScriptedRunner({ autoComplete: true }) });
  webhooks = createGitHubWebhooks({
    webhookSecret: SECRET,
    store: server.store,
    registry: server.registry,
    log: server.log,
    slug: () => 'nightshift',
    sessionRepo: async (fullName) => fullName,
    octokitForInstallation: () => Promise.reject(new Error('no GitHub in this test')),
    commenters: {
      teamMode: false,
      people: server.store.people,
      currentPerson: () => Promise.reject(new Error('local mode')),
      signInUrl: server.url,
    },
    sessionUrl: (id) => `${server.url}/sessions/${id}`,
    branchUrl: (repo, branch) => `https://github.test/${repo}/tree/${branch}`,
    subscribe: () => () => undefined,
  });
});

afterEach(async () => {
  await webhooks.drain();
  await server.stopAndClean();
});

/** A session with the pull request #number as its artifact, as opening it records it. */
async function sessionWithPullRequest(number: number): Promise<string> {
  const session = await server.client.createSession({ repo: makeRepo() });
  const url = `${REPO_URL}/pull/${number}`;
  await server.store.artifacts.insert(session.id, {
    id: `art_${randomUUID()}`,
    type: 'pull_request',
    url,
    data: { number, url, state: 'open' },
    createdAt: new Date().toISOString(),
  });
  return session.id;
}

async function deliver(event: string, payload: Record<string, unknown>, id = randomUUID()) {
  const rawBody = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', SECRET).update(rawBody).digest('hex')}`;
  const outcome = await webhooks.receiver.receive({ id, event, signature, rawBody });
  await webhooks.drain();
  await server.registry.flushAll();
  return outcome;
}

async function updates(sessionId: string) {
  const events = await server.client.events(sessionId);
  return events.filter((e) => e.type === 'pull_request_updated').map((e) => e.data);
}

async function prState(sessionId: string) {
  const artifacts = await server.client.artifacts(sessionId);
  return artifacts.find((a) => a.type === 'pull_request')?.data.state;
}

describe('pull request tracking', () => {
  it('a merge on GitHub puts "merged", by whoever merged, on the timeline and on the PR artifact', async () => {
    const sessionId = await sessionWithPullRequest(12);
    const merged = {
      action: 'closed',
      repository,
      sender: { login: 'carol' },
      pull_request: { number: 12, state: 'closed', merged: true, merged_by: { login: 'carol' } },
    };
    expect(await deliver('pull_request', merged)).toEqual({ kind: 'accepted' });
    expect(await updates(sessionId)).toEqual([
      { number: 12, state: 'merged', by: 'carol', action: 'closed' },
    ]);
    expect(await prState(sessionId)).toBe('merged');

    // A check finishing afterwards says so, and the PR stays merged.
    const check = {
      action: 'completed',
      repository,
      check_run: { name: 'ci', conclusion: 'success', pull_requests: [{ number: 12 }] },
    };
    await deliver('check_run', check);
    expect((await updates(sessionId)).at(-1)).toMatchObject({
      number: 12,
      state: 'merged',
      check: { name: 'ci' },
    });
  });

  it('a replayed delivery adds nothing; a review adds its verdict', async () => {
    const sessionId = await sessionWithPullRequest(3);
    const review = {
      action: 'submitted',
      repository,
      sender: { login: 'dan' },
      pull_request: { number: 3, state: 'open' },
      review: { state: 'APPROVED', body: 'Ship it' },
    };
    const id = randomUUID();
    await deliver('pull_request_review', review, id);
    expect(await deliver('pull_request_review', review, id)).toEqual({ kind: 'duplicate' });
    expect(await updates(sessionId)).toEqual([
      {
        number: 3,
        state: 'open',
        by: 'dan',
        action: 'submitted',
        review: { state: 'approved', body: 'Ship it' },
      },
    ]);
  });

  it("a pull request no session opened, or another repository's #12, changes no session", async () => {
    const sessionId = await sessionWithPullRequest(12);
    const elsewhere = { ...repository, full_name: 'acme/other', html_url: 'https://github.test/acme/other' };
    await deliver('pull_request', {
      action: 'closed',
      repository: elsewhere,
      sender: { login: 'carol' },
      pull_request: { number: 12, state: 'closed', merged: false },
    });
    await deliver('pull_request', {
      action: 'closed',
      repository,
      sender: { login: 'carol' },
      pull_request: { number: 13, state: 'closed', merged: false },
    });
    expect(await updates(sessionId)).toEqual([]);
    expect(await prState(sessionId)).toBe('open');
  });
});
