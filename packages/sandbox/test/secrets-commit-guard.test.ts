import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, git } from '@nightshift/testkit';
import { checkout, parseRemote, publish, setPromptIdentity, type GitEnv } from '../src/git/index.js';

const alice = { name: 'Alice Author', email: 'alice@example.com' };
const bot = { name: 'Nightshift', email: 'bot@nightshift.local' };
const SECRETS = { DEPLOY_TOKEN: 'dpl-secret-7f3a9c', NPM_TOKEN: 'npm-secret-0b1c2d' };
const gitEnv: GitEnv = { env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }, secrets: [] };

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-guard-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function workspaceOnOrigin(name: string) {
  const bare = await createBareRepo(root, name, {
    files: { 'README.md': '# hi\n', 'config.txt': 'plain\n' },
  });
  const remote = parseRemote(`file://${bare}`);
  const workspace = path.join(root, `${name}-ws`);
  const opts = { workspace, remote, baseBranch: 'main', branch: `nightshift/${name}`, git: gitEnv };
  await checkout(opts);
  await setPromptIdentity(workspace, alice, bot, gitEnv);
  return { bare, opts };
}

describe('the commit guard', () => {
  it('leaves a file holding a secret out of the commit and in the workspace, naming the file and the secret', async () => {
    const { bare, opts } = await workspaceOnOrigin('leak');
    const write = (file: string, content: string) => fs.writeFile(path.join(opts.workspace, file), content);
    await write('fine.txt', 'nothing secret\n');
    await write('leaked.env', `DEPLOY_TOKEN=${SECRETS.DEPLOY_TOKEN}\n`);
    await write('config.txt', `token: ${Buffer.from(SECRETS.NPM_TOKEN).toString('base64')}\n`);

    const result = await publish({ ...opts, author: alice, bot, promptText: 'work', secrets: SECRETS });
    expect(result.ok).toBe(true);
    const withheld = [
      { path: 'config.txt', secret: 'NPM_TOKEN' },
      { path: 'leaked.env', secret: 'DEPLOY_TOKEN' },
    ];
    expect(result.withheld).toEqual(withheld);
    expect(result.commit?.withheld).toEqual(withheld);

    const files = await git(['ls-tree', '-r', '--name-only', opts.branch], bare);
    expect(files.split('\n')).toEqual(['README.md', 'config.txt', 'fine.txt']);
    expect(await git(['show', `${opts.branch}:config.txt`], bare)).toBe('plain');
    const history = await git(['log', '-p', '--all'], bare);
    for (const value of Object.values(SECRETS)) expect(history).not.toContain(value);
    // Still there for the agent to deal with, and not staged.
    expect(await fs.readFile(path.join(opts.workspace, 'leaked.env'), 'utf8')).toContain(
      SECRETS.DEPLOY_TOKEN,
    );
    expect(await git(['diff', '--cached', '--name-only'], opts.workspace)).toBe('');
  });

  it('makes no commit when the only change holds a secret, and says so', async () => {
    const { bare, opts } = await workspaceOnOrigin('only');
    const before = await git(['rev-parse', 'main'], bare);
    await fs.writeFile(path.join(opts.workspace, 'token.txt'), SECRETS.DEPLOY_TOKEN);
    const result = await publish({ ...opts, author: alice, bot, promptText: 'leak', secrets: SECRETS });
    expect(result).toMatchObject({
      ok: true,
      commit: null,
      withheld: [{ path: 'token.txt', secret: 'DEPLOY_TOKEN' }],
    });
    expect(await git(['rev-parse', 'main'], bare)).toBe(before);
  });

  it('commits everything when no secret is in it', async () => {
    const { opts } = await workspaceOnOrigin('clean');
    await fs.writeFile(path.join(opts.workspace, 'a.txt'), 'a\n');
    const result = await publish({ ...opts, author: alice, bot, promptText: 'clean', secrets: SECRETS });
    expect(result).not.toHaveProperty('withheld');
    expect(result.commit).toMatchObject({ pushed: true });
    expect(result.commit).not.toHaveProperty('withheld');
  });
});
