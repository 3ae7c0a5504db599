import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, git, startGitHttpServer, type GitHttpServer } from '@nightshift/testkit';
import {
  checkout,
  commitMessage,
  credentialEnv,
  parseRemote,
  publish,
  remoteSecrets,
  setPromptIdentity,
  type GitEnv,
  type GitRemote,
} from '../src/git/index.js';

const alice = { name: 'Alice Author', email: 'alice@example.com' };
const bob = { name: 'Bob Builder', email: 'bob@example.com' };
const bot = { name: 'Nightshift', email: 'bot@nightshift.local' };

let root: string;
let n = 0;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-git-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function envFor(remote: GitRemote): GitEnv {
  return {
    env: { ...credentialEnv(remote), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    secrets: remoteSecrets(remote),
  };
}

async function fixture(remoteUrl?: (bare: string) => string) {
  n += 1;
  const bare = await createBareRepo(root, `repo${n}`, { files: { 'README.md': '# hi\n' } });
  const remote = parseRemote(remoteUrl ? remoteUrl(bare) : `file://${bare}`);
  const workspace = path.join(root, `ws${n}`);
  const opts = { workspace, remote, baseBranch: 'main', branch: `nightshift/s${n}`, git: envFor(remote) };
  return { bare, remote, workspace, opts };
}

async function prompt(
  opts: Awaited<ReturnType<typeof fixture>>['opts'],
  author: typeof alice,
  text: string,
  change?: () => Promise<void>,
) {
  await setPromptIdentity(opts.workspace, author, bot, opts.git);
  await change?.();
  return publish({ ...opts, author, bot, promptText: text });
}

describe('commit messages', () => {
  it('keeps a short prompt as the subject and adds no body', () => {
    expect(commitMessage('Fix the login bug')).toBe('Fix the login bug\n');
  });
  it('shortens long first lines to 72 characters and keeps the full prompt in the body', () => {
    const text = `${'Refactor the session actor so that every command is serialised '.repeat(3)}\nand more`;
    const message = commitMessage(text);
    const [subject, blank, ...body] = message.split('\n');
    expect(subject!.length).toBeLessThanOrEqual(72);
    expect(subject!.endsWith('…')).toBe(true);
    expect(blank).toBe('');
    expect(body.join('\n').trim()).toBe(text.trim());
  });
  it('falls back to a generic subject for an empty prompt', () => {
    expect(commitMessage('  \n ')).toBe('Nightshift changes\n');
  });
});

describe('git over file://', () => {
  it('creates the session branch from the base, commits with the prompt author and the bot as committer, pushes', async () => {
    const { bare, opts, workspace } = await fixture();
    const co = await checkout(opts);
    expect(co).toMatchObject({ mode: 'clone', source: 'base-branch' });
    expect(await git(['rev-parse', '--abbrev-ref', 'HEAD'], workspace)).toBe(opts.branch);

    const result = await prompt(opts, alice, 'Add a greeting file\n\nPlease say # hello', () =>
      fs.writeFile(path.join(workspace, 'hello.txt'), 'hello\n'),
    );
    expect(result.ok).toBe(true);
    expect(result.commit).toMatchObject({
      branch: opts.branch,
      author: alice,
      pushed: true,
      remoteUrl: `file://${bare}`,
    });
    // The body holds the whole prompt, also its lines starting with '#'.
    expect(result.commit!.message).toBe('Add a greeting file\n\nAdd a greeting file\n\nPlease say # hello');
    const log = await git(['log', '-1', '--format=%an|%ae|%cn|%ce|%s', opts.branch], bare);
    expect(log).toBe(`${alice.name}|${alice.email}|${bot.name}|${bot.email}|Add a greeting file`);
    expect(await git(['rev-parse', opts.branch], bare)).toBe(result.commit!.sha);
    // The base branch is untouched.
    expect(await git(['log', '--format=%s', 'main'], bare)).toBe('Initial commit');
  });

  it('commits nothing and returns null when nothing changed', async () => {
    const { bare, opts } = await fixture();
    await checkout(opts);
    const result = await prompt(opts, alice, 'Just look around');
    expect(result).toEqual({ ok: true, commit: null });
    await expect(git(['rev-parse', '--verify', opts.branch], bare)).rejects.toThrow();
  });

  it('attributes each prompt to its own author and resumes the branch from the origin in a new workspace', async () => {
    const { bare, opts, workspace } = await fixture();
    await checkout(opts);
    const first = await prompt(opts, alice, 'one', () => fs.writeFile(path.join(workspace, 'a.txt'), 'a'));
    const second = await prompt(opts, bob, 'two', () => fs.writeFile(path.join(workspace, 'b.txt'), 'b'));
    expect(first.commit!.author).toEqual(alice);
    expect(second.commit!.author).toEqual(bob);

    // A new sandbox with an empty workspace picks the branch up where the origin has it.
    const again = { ...opts, workspace: `${workspace}-again` };
    const co = await checkout(again);
    expect(co).toMatchObject({ mode: 'clone', source: 'origin-branch', head: second.commit!.sha });
    const log = await git(['log', '--format=%an|%cn|%s', opts.branch], bare);
    expect(log.split('\n')).toEqual([
      `${bob.name}|${bot.name}|two`,
      `${alice.name}|${bot.name}|one`,
      'Testkit|Testkit|Initial commit',
    ]);
  });

  it('publishes commits the agent made itself', async () => {
    const { bare, opts, workspace } = await fixture();
    await checkout(opts);
    const result = await prompt(opts, alice, 'commit yourself', async () => {
      await fs.writeFile(path.join(workspace, 'self.txt'), 'x');
      await git(['add', '.'], workspace);
      // No identity given: the workspace config set for the prompt applies.
      await git(['commit', '-q', '-m', 'agent commit'], workspace, {
        GIT_CONFIG_GLOBAL: path.join(root, 'none'),
      });
    });
    expect(result.commit).toMatchObject({ author: alice, pushed: true, message: 'agent commit' });
    expect(await git(['log', '-1', '--format=%cn', opts.branch], bare)).toBe(bot.name);
  });

  it('a quick sync drops an aborted turn’s leftovers and follows the origin, but keeps unpushed commits', async () => {
    const { bare, opts, workspace } = await fixture();
    await checkout(opts);
    await prompt(opts, alice, 'one', () => fs.writeFile(path.join(workspace, 'a.txt'), 'a'));
    // Someone else pushes to the session branch meanwhile.
    const other = path.join(root, `other${n}`);
    await git(['clone', '-q', '-b', opts.branch, bare, other], root);
    await fs.writeFile(path.join(other, 'c.txt'), 'c');
    await git(['add', '.'], other);
    await git(['-c', 'user.name=C', '-c', 'user.email=c@x.io', 'commit', '-qm', 'from elsewhere'], other);
    await git(['push', '-q', 'origin', opts.branch], other);
    // Leftovers of a turn that died with the sandbox.
    await fs.writeFile(path.join(workspace, 'junk.txt'), 'junk');
    await fs.writeFile(path.join(workspace, 'README.md'), 'changed');

    const synced = await checkout(opts);
    expect(synced).toMatchObject({ mode: 'sync', source: 'origin-branch' });
    await expect(fs.stat(path.join(workspace, 'junk.txt'))).rejects.toThrow();
    expect(await fs.readFile(path.join(workspace, 'README.md'), 'utf8')).toBe('# hi\n');
    expect(await fs.readFile(path.join(workspace, 'c.txt'), 'utf8')).toBe('c');

    // A commit whose push failed survives a restart and goes out with the next prompt.
    await fs.writeFile(path.join(workspace, 'd.txt'), 'd');
    await git(['add', '.'], workspace);
    await git(['-c', 'user.name=A', '-c', 'user.email=a@x.io', 'commit', '-qm', 'unpushed'], workspace);
    expect(await checkout(opts)).toMatchObject({ source: 'local' });
    const result = await prompt(opts, alice, 'nothing new');
    expect(result.commit).toMatchObject({ message: 'unpushed', pushed: true });
  });

  it('runs none of the repository’s hooks and pushes to the real origin even when the agent repointed it', async () => {
    const { bare, opts, workspace } = await fixture();
    await checkout(opts);
    const ran = path.join(root, `hooks-ran-${n}`);
    const decoy = await createBareRepo(root, `decoy${n}`, { files: { 'README.md': 'decoy\n' } });
    const result = await prompt(opts, alice, 'with hooks', async () => {
      // What husky leaves behind after `npm install`, with hooks that would refuse the work.
      await fs.mkdir(path.join(workspace, '.husky'));
      for (const hook of ['pre-commit', 'commit-msg', 'pre-push', 'post-checkout', 'reference-transaction'])
        await fs.writeFile(
          path.join(workspace, '.husky', hook),
          `#!/bin/sh\necho ${hook} >> ${ran}\nexit 1\n`,
          {
            mode: 0o755,
          },
        );
      await git(['config', 'core.hooksPath', '.husky'], workspace);
      await git(['config', 'core.fsmonitor', `echo fsmonitor >> ${ran}; false`], workspace);
      await git(['remote', 'set-url', 'origin', `file://${decoy}`], workspace);
      await fs.writeFile(path.join(workspace, 'work.txt'), 'the agent’s work\n');
    });
    expect(result).toMatchObject({ ok: true, commit: { pushed: true, author: alice } });
    expect(await git(['show', `${opts.branch}:work.txt`], bare)).toBe('the agent’s work');
    await expect(git(['rev-parse', '--verify', opts.branch], decoy)).rejects.toThrow();
    await expect(fs.readFile(ran, 'utf8')).rejects.toThrow(); // no hook ran at all
  });

  it('refuses to push to the base branch', async () => {
    const { opts, workspace } = await fixture();
    await checkout({ ...opts, branch: 'main' });
    await fs.writeFile(path.join(workspace, 'x.txt'), 'x');
    await expect(publish({ ...opts, branch: 'main', author: alice, bot, promptText: 'x' })).rejects.toThrow(
      /refusing to push to the base branch main/,
    );
  });

  it('works with a plain local path as the origin', async () => {
    const { bare, opts, workspace } = await fixture((b) => b);
    await checkout(opts);
    const result = await prompt(opts, alice, 'local', () => fs.writeFile(path.join(workspace, 'l.txt'), 'l'));
    expect(result.commit).toMatchObject({ pushed: true, remoteUrl: bare });
  });

  it('fails clearly when the base branch does not exist', async () => {
    const { opts } = await fixture();
    await expect(checkout({ ...opts, baseBranch: 'develop' })).rejects.toThrow(
      /base branch develop does not exist on the origin/,
    );
  });
});

describe('git over HTTP with credentials', () => {
  const password = 's3cret-pa55word';
  let server: GitHttpServer;
  beforeAll(async () => {
    server = await startGitHttpServer({ root, username: 'sandbox', password });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('clones and pushes with credentials that never reach .git/config or CommitInfo', async () => {
    const { bare, opts, workspace, remote } = await fixture((b) =>
      server.repoUrl(path.basename(b), { credentials: true }),
    );
    expect(remote.url).toBe(server.repoUrl(path.basename(bare)));
    expect(remote.credentials).toEqual({ username: 'sandbox', password });
    await checkout(opts);
    const result = await prompt(opts, alice, 'over http', () =>
      fs.writeFile(path.join(workspace, 'h.txt'), 'h'),
    );
    expect(result.commit).toMatchObject({ pushed: true, remoteUrl: remote.url });
    expect(await git(['log', '-1', '--format=%an|%cn', opts.branch], bare)).toBe(`${alice.name}|${bot.name}`);
    const config = await fs.readFile(path.join(workspace, '.git', 'config'), 'utf8');
    expect(config).not.toContain(password);
    expect(config).not.toContain(Buffer.from(`sandbox:${password}`).toString('base64'));
    expect(JSON.stringify(result)).not.toContain(password);
    expect(server.requests.some((r) => r.status === 401)).toBe(false);
  });

  it('reports a failed push with git’s message and no secret in it', async () => {
    const { opts, workspace } = await fixture((b) => server.repoUrl(path.basename(b), { credentials: true }));
    await checkout(opts);
    // The credentials stop working (say, the token expired) between clone and push.
    const wrong = { ...opts.remote, credentials: { username: 'sandbox', password: 'expired-token-value' } };
    const gitEnv = envFor(wrong);
    await setPromptIdentity(workspace, alice, bot, gitEnv);
    await fs.writeFile(path.join(workspace, 'p.txt'), 'p');
    const result = await publish({
      ...opts,
      remote: wrong,
      git: gitEnv,
      author: alice,
      bot,
      promptText: 'p',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/git push to http:\/\/127\.0\.0\.1:\d+\/repo\d+\.git failed/);
    expect(result.error).not.toContain('expired-token-value');
    expect(result.commit).toMatchObject({ pushed: false, author: alice });
  });
});
