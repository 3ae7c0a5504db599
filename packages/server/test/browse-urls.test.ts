import { describe, expect, it } from 'vitest';
import { browseUrls } from '../src/scm/browse-urls.js';

describe('links to a branch and a commit on the git host', () => {
  it('follows each known host’s layout, whatever form the repository URL takes', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    for (const repo of [
      'https://github.com/acme/app.git',
      'https://github.com/acme/app',
      'git@github.com:acme/app.git',
      'ssh://git@github.com/acme/app.git',
      'https://GitHub.com/acme/app/',
    ]) {
      const urls = browseUrls(repo);
      expect(urls?.branch('nightshift/ab12'), repo).toBe('https://github.com/acme/app/tree/nightshift/ab12');
      expect(urls?.commit(sha), repo).toBe(`https://github.com/acme/app/commit/${sha}`);
    }
    expect(browseUrls('https://gitlab.com/group/sub/app.git')?.commit(sha)).toBe(
      `https://gitlab.com/group/sub/app/-/commit/${sha}`,
    );
    expect(browseUrls('git@gitlab.com:group/app.git')?.branch('main')).toBe(
      'https://gitlab.com/group/app/-/tree/main',
    );
    expect(browseUrls('https://bitbucket.org/team/app.git')?.branch('b')).toBe(
      'https://bitbucket.org/team/app/branch/b',
    );
    expect(browseUrls('https://codeberg.org/me/app.git')?.branch('b')).toBe(
      'https://codeberg.org/me/app/src/branch/b',
    );
  });

  it('never carries credentials from the repository URL into a link', () => {
    const urls = browseUrls('https://x-access-token:ghp_s3cret@github.com/acme/app.git');
    expect(urls?.branch('b')).toBe('https://github.com/acme/app/tree/b');
    expect(JSON.stringify([urls?.branch('b'), urls?.commit('c')])).not.toContain('s3cret');
  });

  it('gives no links where the page layout is unknown or there is no host', () => {
    for (const repo of [
      '/srv/git/app.git',
      'file:///srv/git/app.git',
      'http://127.0.0.1:7070/git/ses_1.git',
      'https://git.internal.example/acme/app.git',
      'https://github.com/acme',
      'not a url',
    ])
      expect(browseUrls(repo), repo).toBeNull();
  });

  it('escapes what a branch name could smuggle into the link', () => {
    expect(browseUrls('https://github.com/acme/app.git')?.branch('feat/a b?c#d')).toBe(
      'https://github.com/acme/app/tree/feat/a%20b%3Fc%23d',
    );
  });
});
