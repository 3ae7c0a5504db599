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

  it('recognises a self-hosted forge by its usual host name, on the scheme and port it serves', () => {
    const sha = 'abc123';
    expect(browseUrls('https://gitlab.acme.dev/platform/api.git')?.commit(sha)).toBe(
      'https://gitlab.acme.dev/platform/api/-/commit/abc123',
    );
    expect(browseUrls('http://gitlab.lan:8080/team/app.git')?.branch('nightshift/x')).toBe(
      'http://gitlab.lan:8080/team/app/-/tree/nightshift/x',
    );
    expect(browseUrls('git@github.acme.com:org/app.git')?.branch('b')).toBe(
      'https://github.acme.com/org/app/tree/b',
    );
    // ssh's port is not the web UI's.
    expect(browseUrls('ssh://git@gitea.home.arpa:2222/me/app.git')?.commit(sha)).toBe(
      'https://gitea.home.arpa/me/app/commit/abc123',
    );
    expect(browseUrls('https://forgejo.example.org/me/app')?.branch('b')).toBe(
      'https://forgejo.example.org/me/app/src/branch/b',
    );
    expect(browseUrls('http://github.com/acme/app.git')?.branch('b')).toBe(
      'https://github.com/acme/app/tree/b',
    );
  });

  it('never carries credentials from the repository URL into a link', () => {
    const urls = browseUrls('https://x-access-token:ghp_s3cret@github.com/acme/app.git');
    expect(urls?.branch('b')).toBe('https://github.com/acme/app/tree/b');
    expect(JSON.stringify([urls?.branch('b'), urls?.commit('c')])).not.toContain('s3cret');
    const selfHosted = browseUrls('http://oauth2:glpat-s3cret@gitlab.lan:8080/team/app.git');
    expect(selfHosted?.commit('c')).toBe('http://gitlab.lan:8080/team/app/-/commit/c');
    expect(JSON.stringify([selfHosted?.branch('b'), selfHosted?.commit('c')])).not.toMatch(/s3cret|oauth2/);
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
