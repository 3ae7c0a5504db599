// Pull requests, comments and webhooks on the testkit GitHub, through @octokit/rest and checked
// with @octokit/webhooks' own signature verification: who authored a PR, GitHub's 422s, a real
// merge in the bare repository, and the deliveries that follow each change.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhooks } from '@octokit/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../src/index.js';
import { installationToken, startGitHubWorld, type GitHubWorld } from './support/github-world.js';

let world: GitHubWorld;
let dir: string;
beforeEach(async () => {
  world = await startGitHubWorld();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-github-pulls-'));
});
afterEach(async () => {
  await world.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Pushes a commit to `branch` of acme/widgets with an installation token. */
async function pushBranch(branch: string, file = 'change.txt') {
  const { token } = await installationToken(world);
  const clone = path.join(dir, `clone-${branch.replace(/\W/g, '-')}-${file}`);
  const url = `${world.github.url.replace('http://', `http://x-access-token:${token}@`)}/acme/widgets.git`;
  await git(['clone', '--quiet', url, clone], dir);
  await git(['checkout', '--quiet', '-B', branch, `origin/${branch}`], clone).catch(() =>
    git(['checkout', '--quiet', '-b', branch], clone),
  );
  await fs.writeFile(path.join(clone, file), `${file}\n`);
  await git(['add', file], clone);
  await git(
    ['-c', 'user.name=Ada', '-c', 'user.email=ada@acme.test', 'commit', '--quiet', '-m', `Add ${file}`],
    clone,
  );
  await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], clone);
}

type Payload = Record<string, unknown> & {
  issue?: { number: number; pull_request?: unknown };
  pull_request?: Record<string, unknown>;
};

const events = () =>
  world.received.map((r) => {
    const payload = JSON.parse(r.body) as { action?: string };
    return `${String(r.headers['x-github-event'])}.${payload.action}`;
  });

describe('testkit GitHub: pull requests and webhooks', () => {
  it('opens a PR authored by the token owner — the person with a user token, the bot with the App', async () => {
    await pushBranch('nightshift/one');
    const ada = world.rest(world.github.state.issueToken('ada'));
    const { data: pr } = await ada.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      title: 'One',
      body: 'Asked by Ada',
      head: 'nightshift/one',
      base: 'main',
      draft: true,
    });
    expect(pr).toMatchObject({ number: 1, state: 'open', draft: true, user: { login: 'ada', type: 'User' } });
    expect(pr.html_url).toBe(`${world.github.url}/acme/widgets/pull/1`);
    expect(pr.head.ref).toBe('nightshift/one');

    await pushBranch('nightshift/two');
    const bot = world.rest((await installationToken(world)).token);
    const { data: byApp } = await bot.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      title: 'Two',
      head: 'acme:nightshift/two',
      base: 'main',
    });
    expect(byApp.user).toMatchObject({ login: 'nightshift-test[bot]', type: 'Bot' });
    expect(world.github.pulls('acme', 'widgets').map((p) => p.author.login)).toEqual([
      'ada',
      'nightshift-test[bot]',
    ]);

    const { data: found } = await bot.pulls.list({
      owner: 'acme',
      repo: 'widgets',
      head: 'acme:nightshift/one',
    });
    expect(found.map((p) => p.number)).toEqual([1]);
  });

  it("answers GitHub's 422s: nothing ahead of the base, and a PR that already exists for the head", async () => {
    const rest = world.rest(world.github.state.issueToken('ada'));
    await git(['branch', 'empty', 'main'], world.github.repoDir('acme', 'widgets'));
    const none = await rest.pulls
      .create({ owner: 'acme', repo: 'widgets', title: 'x', head: 'empty', base: 'main' })
      .catch((e: unknown) => e);
    expect(none).toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: 'No commits between main and empty' }] } },
    });

    await pushBranch('feature');
    await rest.pulls.create({ owner: 'acme', repo: 'widgets', title: 'x', head: 'feature', base: 'main' });
    const again = await rest.pulls
      .create({ owner: 'acme', repo: 'widgets', title: 'y', head: 'feature', base: 'main' })
      .catch((e: unknown) => e);
    expect(again).toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ message: 'A pull request already exists for acme:feature.' }],
        },
      },
    });
    expect(world.github.pulls('acme', 'widgets')).toHaveLength(1);
  });

  it('counts the commits ahead with real git', async () => {
    await pushBranch('feature', 'a.txt');
    await pushBranch('feature', 'b.txt');
    const rest = world.rest((await installationToken(world)).token);
    const { data } = await rest.repos.compareCommitsWithBasehead({
      owner: 'acme',
      repo: 'widgets',
      basehead: 'main...feature',
    });
    expect(data).toMatchObject({ status: 'ahead', ahead_by: 2, behind_by: 0 });
    expect(data.commits.map((c) => c.commit.message)).toEqual(['Add a.txt', 'Add b.txt']);
  });

  it('delivers signed pull_request webhooks on open, push and merge; the merge is real and by the merger', async () => {
    await pushBranch('feature', 'a.txt');
    const rest = world.rest(world.github.state.issueToken('ada'));
    const { data: pr } = await rest.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      title: 'A',
      head: 'feature',
      base: 'main',
    });
    await pushBranch('feature', 'b.txt');
    await world.github.webhooksSettled();
    const sha = await world.github.mergePull('acme', 'widgets', pr.number, { by: 'brian' });

    expect(events()).toEqual(['pull_request.opened', 'pull_request.synchronize', 'pull_request.closed']);
    const webhooks = new Webhooks({ secret: world.app.webhookSecret });
    for (const delivery of world.received) {
      expect(await webhooks.verify(delivery.body, String(delivery.headers['x-hub-signature-256']))).toBe(
        true,
      );
      expect(delivery.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    }
    const closed = JSON.parse(world.received.at(-1)!.body) as Payload;
    expect(closed).toMatchObject({
      installation: { id: world.installationId },
      repository: { full_name: 'acme/widgets' },
      sender: { login: 'brian' },
      pull_request: { number: pr.number, merged: true, merged_by: { login: 'brian' }, merge_commit_sha: sha },
    });
    const bare = world.github.repoDir('acme', 'widgets');
    expect(await git(['rev-parse', 'main'], bare)).toBe(sha);
    expect(await git(['log', '-1', '--format=%an|%P', 'main'], bare)).toMatch(/^Brian Kernighan\|\S+ \S+$/);
    expect(await git(['show', 'main:b.txt'], bare)).toBe('b.txt');
    expect(
      (await rest.pulls.get({ owner: 'acme', repo: 'widgets', pull_number: pr.number })).data,
    ).toMatchObject({ state: 'closed', merged: true });
  });

  it("a person's comment on a PR delivers issue_comment with the PR key; the App reacts and replies", async () => {
    await pushBranch('feature');
    const bot = world.rest((await installationToken(world)).token);
    const { data: pr } = await bot.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      title: 'A',
      head: 'feature',
      base: 'main',
    });
    await world.github.webhooksSettled();
    world.received.length = 0;

    const comment = await world.github.comment({
      owner: 'acme',
      name: 'widgets',
      issue: pr.number,
      body: '@nightshift-test also update the README',
      by: 'ada',
    });
    expect(events()).toEqual(['issue_comment.created']);
    const payload = JSON.parse(world.received[0]!.body) as Payload;
    expect(payload).toMatchObject({
      installation: { id: world.installationId },
      issue: { number: pr.number, pull_request: { url: expect.any(String) } },
      comment: {
        id: comment.id,
        body: '@nightshift-test also update the README',
        user: { login: 'ada', id: 11 },
      },
      sender: { login: 'ada' },
    });

    await bot.reactions.createForIssueComment({
      owner: 'acme',
      repo: 'widgets',
      comment_id: comment.id,
      content: 'eyes',
    });
    await bot.issues.createComment({
      owner: 'acme',
      repo: 'widgets',
      issue_number: pr.number,
      body: 'On it: http://nightshift/s/1',
    });
    const comments = world.github.comments('acme', 'widgets', pr.number);
    expect(comments.map((c) => [c.author.login, c.body])).toEqual([
      ['ada', '@nightshift-test also update the README'],
      ['nightshift-test[bot]', 'On it: http://nightshift/s/1'],
    ]);
    expect(comments[0]!.reactions.map((r) => [r.content, r.user.login])).toEqual([
      ['eyes', 'nightshift-test[bot]'],
    ]);

    await world.github.webhooksSettled();
    const issue = await world.github.createIssue({
      owner: 'acme',
      name: 'widgets',
      title: 'Bug',
      by: 'brian',
    });
    await world.github.comment({
      owner: 'acme',
      name: 'widgets',
      issue,
      body: '@nightshift-test fix it',
      by: 'brian',
    });
    const onIssue = JSON.parse(world.received.at(-1)!.body) as Payload;
    expect(onIssue.issue?.number).toBe(issue);
    expect(onIssue.issue?.pull_request).toBeUndefined();
  });

  it('closing without merging and a submitted review deliver their events', async () => {
    await pushBranch('feature');
    const rest = world.rest(world.github.state.issueToken('ada'));
    const { data: pr } = await rest.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      title: 'A',
      head: 'feature',
      base: 'main',
    });
    await world.github.webhooksSettled();
    await world.github.review({
      owner: 'acme',
      name: 'widgets',
      number: pr.number,
      by: 'brian',
      state: 'approved',
    });
    await world.github.closePull('acme', 'widgets', pr.number, { by: 'brian' });
    expect(events()).toEqual(['pull_request.opened', 'pull_request_review.submitted', 'pull_request.closed']);
    const closed = JSON.parse(world.received.at(-1)!.body) as Payload;
    expect(closed.pull_request).toMatchObject({ state: 'closed', merged: false });
    await rest.pulls.update({ owner: 'acme', repo: 'widgets', pull_number: pr.number, state: 'open' });
    await world.github.webhooksSettled();
    expect(events().at(-1)).toBe('pull_request.reopened');
  });

  it('records deliveries with the receiver’s status and redelivers one under the same id', async () => {
    world.receiverStatus.value = 401;
    const first = await world.github.deliver('ping', {
      zen: 'Keep it logically awesome.',
      installation: { id: world.installationId },
    });
    expect(first.status).toBe(401);
    world.receiverStatus.value = 202;
    const again = await world.github.redeliver(first.id);
    expect(again).toMatchObject({ id: first.id, status: 202, redelivery: true });
    expect(world.received.map((r) => r.headers['x-github-delivery'])).toEqual([first.id, first.id]);
    expect(world.github.deliveries().map((d) => d.status)).toEqual([401, 202]);
  });
});
