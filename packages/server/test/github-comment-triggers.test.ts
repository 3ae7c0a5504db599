// `@nightshift …` on GitHub, end to end through the testkit GitHub: its signed deliveries reach
// the real webhook route, and the App answers through the installation's REST API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubServer, type CreatedApp, type GitHubServer } from '@nightshift/testkit';
import { eventually, startTestServer, type TestServer } from './support/harness.js';
import { asBrowser } from './support/team-server.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { githubTeamSettings } from './support/sign-in-providers.js';
import { pushCommit } from './support/github-commits.js';
import { signIn } from './support/sign-in.js';

const ADA = { login: 'ada', id: 101, name: 'Ada Lovelace', email: 'ada@acme.test' };
const MALLORY = { login: 'mallory', id: 102, name: 'Mallory Meddler', email: 'mallory@elsewhere.test' };

let github: GitHubServer;
let app: CreatedApp;
let server: TestServer;
let adaCookie: string;
const runner = new ScriptedRunner({ autoComplete: true });

beforeAll(async () => {
  github = await startGitHubServer({ users: [ADA, MALLORY] });
  app = github.createApp({ slug: 'nightshift' });
  await github.createRepo({ owner: 'acme', name: 'widgets' });
  github.installApp({ owner: 'acme', repos: ['widgets'] });
  server = await startTestServer({
    runner,
    model: 'test/model',
    ...githubTeamSettings(github, app, [ADA.email]),
  });
  github.setWebhookUrl(`${server.url}/api/github/webhook`);
  // Ada uses Nightshift: she signed in with GitHub once.
  adaCookie = (await signIn(server.url, { via: 'github', github, login: 'ada' })).cookie;
}, 60_000);

afterAll(async () => {
  await server?.stopAndClean();
  await github?.close();
});

const botComments = (issue: number) =>
  github.comments('acme', 'widgets', issue).filter((c) => c.author.login === 'nightshift[bot]');

describe('comment triggers', () => {
  it('a mention on an issue starts a session whose first prompt is the request with the issue as context', async () => {
    const issue = await github.createIssue({
      owner: 'acme',
      name: 'widgets',
      title: 'Buttons are blue',
      body: 'They should be green.',
      by: 'ada',
    });
    const comment = await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue,
      body: '@nightshift make the buttons green',
      by: 'ada',
    });
    expect(github.deliveries().at(-1)?.status).toBe(202);
    // 👀 first, then the link, then the outcome.
    await eventually(() => botComments(issue).length >= 2);
    const reactions = github.comments('acme', 'widgets', issue).find((c) => c.id === comment.id)!.reactions;
    expect(reactions.map((r) => [r.content, r.user.login])).toEqual([['eyes', 'nightshift[bot]']]);
    const [link, outcome] = botComments(issue).map((c) => c.body);
    const sessionId = /\/sessions\/(ses_[\w-]+)/.exec(link!)?.[1];
    expect(link).toContain(`${server.url}/sessions/`);
    expect(outcome).toMatch(/^Done/);

    const session = await server.store.sessions.get(sessionId!);
    expect(session?.repo).toBe(`${github.url}/acme/widgets.git`);
    const [prompt] = await server.store.messages.list(sessionId!);
    expect(prompt!.text).toContain('make the buttons green');
    expect(prompt!.text).toContain('Buttons are blue');
    expect(prompt!.text).toContain('They should be green.');
    expect(prompt!.author).toEqual({ name: ADA.name, email: ADA.email });
  });

  it('someone who does not use Nightshift is told so, and nothing runs', async () => {
    const before = runner.started.length;
    const issue = await github.createIssue({ owner: 'acme', name: 'widgets', title: 'Hi', by: 'mallory' });
    await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue,
      body: '@nightshift delete everything',
      by: 'mallory',
    });
    await eventually(() => botComments(issue).length >= 1);
    expect(botComments(issue)[0]!.body).toContain('sign in with GitHub');
    expect(runner.started.length).toBe(before);
    expect((await server.store.sessions.list({})).filter((s) => s.title?.includes('#' + issue))).toEqual([]);
  });

  it("the App's own comments are never taken as requests", async () => {
    const before = github.deliveries().length;
    const sessions = (await server.store.sessions.list({})).length;
    const issue = await github.createIssue({ owner: 'acme', name: 'widgets', title: 'Loop?', by: 'ada' });
    await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue,
      body: '@nightshift said this itself',
      by: 'nightshift[bot]',
    });
    expect(github.deliveries().length).toBeGreaterThan(before);
    await server.registry.flushAll();
    expect((await server.store.sessions.list({})).length).toBe(sessions);
    expect(github.comments('acme', 'widgets', issue).map((c) => c.author.login)).toEqual(['nightshift[bot]']);
  });

  it('a replayed comment delivery is answered as a duplicate and starts nothing', async () => {
    const issue = await github.createIssue({ owner: 'acme', name: 'widgets', title: 'Once', by: 'ada' });
    await github.comment({ owner: 'acme', name: 'widgets', issue, body: '@nightshift once only', by: 'ada' });
    await eventually(() => botComments(issue).length >= 2);
    const sessions = (await server.store.sessions.list({})).length;
    const original = github
      .deliveries()
      .find((d) => d.event === 'issue_comment' && (d.payload.issue as { number: number }).number === issue)!;
    const again = await github.redeliver(original.id);
    expect(again.status).toBe(200);
    expect((await server.store.sessions.list({})).length).toBe(sessions);
    expect(botComments(issue)).toHaveLength(2);
  });

  it('a rate-limited reply is sent once GitHub says it may be', async () => {
    const issue = await github.createIssue({ owner: 'acme', name: 'widgets', title: 'Busy', by: 'ada' });
    github.rateLimit({ remaining: 0, resetInSeconds: 1 });
    await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue,
      body: '@nightshift when you can',
      by: 'ada',
    });
    await eventually(() => botComments(issue).length >= 2, 20_000);
    expect(botComments(issue)[0]!.body).toContain('/sessions/');
  });
});

describe('comment triggers on a pull request a session opened', () => {
  it('a mention queues a prompt in that session, authored by the commenter, and the App replies with the outcome', async () => {
    const session = await server.registry.create({ repo: 'acme/widgets' });
    pushCommit(github.repoDir('acme', 'widgets'), session.branch, 'first.txt', ADA);
    const opened = await asBrowser(server, adaCookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    expect(opened.status).toBe(201);
    const { number } = opened.body as { number: number };

    await github.comment({
      owner: 'acme',
      name: 'widgets',
      issue: number,
      body: '@nightshift also update the README',
      by: 'ada',
    });
    await eventually(() => botComments(number).length >= 2);
    const prompts = await server.store.messages.list(session.id);
    expect(prompts.map((m) => [m.text, m.author.email])).toEqual([['also update the README', ADA.email]]);
    const [link, outcome] = botComments(number).map((c) => c.body);
    expect(link).toContain(`/sessions/${session.id}`);
    expect(outcome).toContain('this pull request has the new commits');
  });

  it('merging it on GitHub puts "merged", by whom, on the timeline and the PR artifact', async () => {
    const session = await server.registry.create({ repo: 'acme/widgets' });
    pushCommit(github.repoDir('acme', 'widgets'), session.branch, 'merge-me.txt', ADA);
    const opened = await asBrowser(server, adaCookie, 'POST', `/api/sessions/${session.id}/pull-request`, {});
    const { number } = opened.body as { number: number };
    await github.mergePull('acme', 'widgets', number, { by: 'ada' });
    await eventually(async () => {
      const events = await server.store.events.list(session.id, 0, 1000);
      return events.some((e) => e.type === 'pull_request_updated');
    });
    const events = await server.store.events.list(session.id, 0, 1000);
    expect(events.filter((e) => e.type === 'pull_request_updated').map((e) => e.data)).toEqual([
      expect.objectContaining({ number, state: 'merged', by: 'ada' }),
    ]);
    const artifacts = await server.store.artifacts.list(session.id);
    expect(artifacts.find((a) => a.type === 'pull_request')?.data.state).toBe('merged');
  });
});

describe('the webhook route', () => {
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/api/github/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('refuses a delivery with a bad signature, and it changes nothing', async () => {
    const issue = await github.createIssue({ owner: 'acme', name: 'widgets', title: 'Forged', by: 'ada' });
    await github.comment({ owner: 'acme', name: 'widgets', issue, body: 'plain', by: 'ada' });
    const payload = github.deliveries().at(-1)!.payload;
    const forged = JSON.stringify({
      ...payload,
      comment: { ...(payload.comment as object), body: '@nightshift rm -rf' },
    });
    const sessions = (await server.store.sessions.list({})).length;
    const res = await post(forged, {
      'x-github-event': 'issue_comment',
      'x-github-delivery': 'forged-1',
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_signature');
    const unsigned = await post(forged, {
      'x-github-event': 'issue_comment',
      'x-github-delivery': 'forged-2',
    });
    expect(unsigned.status).toBe(401);
    await server.registry.flushAll();
    expect((await server.store.sessions.list({})).length).toBe(sessions);
    expect(botComments(issue)).toEqual([]);
  });

  it('answers 202 to an event it does not act on, and 413 to a body larger than GitHub sends', async () => {
    const star = await github.deliver('star', { action: 'created' });
    expect(star.status).toBe(202);
    const huge = await post(`{"x":"${'a'.repeat(25 * 1024 * 1024)}"}`, { 'x-github-event': 'issue_comment' });
    expect(huge.status).toBe(413);
  });
});
