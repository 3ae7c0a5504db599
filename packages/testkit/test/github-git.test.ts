// Real git against the testkit GitHub: clone and push with an installation token or a user's
// OAuth token as GitHub takes them (username x-access-token), refused without, outside the
// token's repositories, after expiry, and on a protected branch.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '../src/index.js';
import { installationToken, startGitHubWorld, type GitHubWorld } from './support/github-world.js';

let world: GitHubWorld;
let dir: string;
beforeEach(async () => {
  world = await startGitHubWorld();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-github-git-'));
});
afterEach(async () => {
  await world.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const urlWith = (token: string, repo = 'acme/widgets') =>
  `${world.github.url.replace('http://', `http://x-access-token:${token}@`)}/${repo}.git`;

async function commitFile(clone: string, file: string, content: string) {
  await fs.writeFile(path.join(clone, file), content);
  await git(['add', file], clone);
  await git(
    ['-c', 'user.name=Ada', '-c', 'user.email=ada@acme.test', 'commit', '--quiet', '-m', `Add ${file}`],
    clone,
  );
}

describe('testkit GitHub: git over HTTP', () => {
  it('clones and pushes with an installation token, and the push lands in the bare repository', async () => {
    const { token } = await installationToken(world, { repositories: ['widgets'] });
    const clone = path.join(dir, 'clone');
    await git(['clone', '--quiet', urlWith(token), clone], dir);
    expect(await fs.readFile(path.join(clone, 'README.md'), 'utf8')).toBe('# widgets\n');
    await commitFile(clone, 'feature.txt', 'from the agent\n');
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/nightshift/feature'], clone);
    const bare = world.github.repoDir('acme', 'widgets');
    expect(await git(['show', 'nightshift/feature:feature.txt'], bare)).toBe('from the agent');
    expect(await git(['log', '-1', '--format=%an', 'nightshift/feature'], bare)).toBe('Ada');
  });

  it('clones with a user OAuth token too', async () => {
    const token = world.github.state.issueToken('ada');
    await git(['clone', '--quiet', urlWith(token), path.join(dir, 'clone')], dir);
    expect(await fs.readFile(path.join(dir, 'clone', 'README.md'), 'utf8')).toBe('# widgets\n');
  });

  it('refuses without a token, with a token for another repository, and with an expired one', async () => {
    const anonymous = `${world.github.url}/acme/widgets.git`;
    await expect(git(['clone', '--quiet', anonymous, path.join(dir, 'a')], dir)).rejects.toThrow();
    expect(world.github.requests).toContain('GET /acme/widgets.git/info/refs 401');

    await world.github.createRepo({ owner: 'acme', name: 'gadgets' });
    world.github.installApp({ owner: 'acme', repos: ['gadgets'] });
    const { token } = await installationToken(world, { repositories: ['gadgets'] });
    await expect(git(['clone', '--quiet', urlWith(token), path.join(dir, 'b')], dir)).rejects.toThrow();
    await git(['clone', '--quiet', urlWith(token, 'acme/gadgets'), path.join(dir, 'c')], dir);

    world.github.expireTokens();
    await expect(
      git(['clone', '--quiet', urlWith(token, 'acme/gadgets'), path.join(dir, 'd')], dir),
    ).rejects.toThrow();
  });

  it('lets a read-only token clone but not push', async () => {
    const { token } = await installationToken(world, { permissions: { contents: 'read' } });
    const clone = path.join(dir, 'clone');
    await git(['clone', '--quiet', urlWith(token), clone], dir);
    await commitFile(clone, 'x.txt', 'x\n');
    await expect(git(['push', '--quiet', 'origin', 'HEAD:refs/heads/x'], clone)).rejects.toThrow(
      /403|denied/,
    );
  });

  it("refuses a push to a protected branch with GitHub's words, and takes one to another branch", async () => {
    await world.github.branchProtection('acme', 'widgets', 'main');
    const { token } = await installationToken(world);
    const clone = path.join(dir, 'clone');
    await git(['clone', '--quiet', urlWith(token), clone], dir);
    await commitFile(clone, 'y.txt', 'y\n');
    const before = await git(['rev-parse', 'main'], world.github.repoDir('acme', 'widgets'));
    await expect(git(['push', 'origin', 'HEAD:refs/heads/main'], clone)).rejects.toThrow(
      /protected branch hook declined/,
    );
    expect(await git(['rev-parse', 'main'], world.github.repoDir('acme', 'widgets'))).toBe(before);
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/elsewhere'], clone);
  });
});
