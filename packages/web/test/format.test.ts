import { describe, expect, it } from 'vitest';
import { repoName } from '../src/components/format.js';

describe('repoName', () => {
  it('is owner/name for a git URL, whatever its form', () => {
    expect(repoName('https://github.com/acme/app.git')).toBe('acme/app');
    expect(repoName('https://x:***@gitlab.com/group/sub/app/')).toBe('sub/app');
    expect(repoName('git@github.com:acme/app.git')).toBe('acme/app');
  });

  it('is the directory’s name for a local repository, not a made-up owner', () => {
    expect(repoName('/tmp/ns-web-repo-U9P6u6')).toBe('ns-web-repo-U9P6u6');
    expect(repoName('/home/ada/code/app/')).toBe('app');
    expect(repoName('/srv/git/app.git')).toBe('app');
    expect(repoName('/home/ada/app/.git')).toBe('app');
    expect(repoName('file:///srv/git/app.git')).toBe('app');
  });
});
