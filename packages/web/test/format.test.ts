import { describe, expect, it } from 'vitest';
import { formatTime, repoName } from '../src/components/format.js';

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

describe('formatTime', () => {
  const now = new Date(2026, 10, 23, 9, 30);
  it('is the time of day alone for today', () => {
    const today = formatTime(new Date(2026, 10, 23, 6, 58).toISOString(), now);
    expect(today).toMatch(/06:58|6:58/);
    expect(today).not.toMatch(/22|23|Nov/);
  });

  it('carries the date for an earlier day, and the year for an earlier year', () => {
    const yesterday = formatTime(new Date(2026, 10, 22, 6, 58).toISOString(), now);
    expect(yesterday).toMatch(/22/);
    expect(yesterday).toMatch(/06:58|6:58/);
    expect(yesterday).not.toMatch(/2026/);
    expect(formatTime(new Date(2025, 10, 22, 6, 58).toISOString(), now)).toMatch(/2025/);
  });
});
