// @vitest-environment jsdom
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Artifact } from '@nightshift/protocol';
import { ArtifactEntry, type ArtifactRepo } from '../src/timeline/ArtifactEntry.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
const cleanup: string[] = [];
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function render(artifact: Artifact, repo: ArtifactRepo | null): HTMLElement {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() => root!.render(<ArtifactEntry artifact={artifact} repo={repo} />));
  return host;
}

const sha = '47147dbb0123456789abcdef0123456789abcdef';
const commit = (url: string | null, pushed = true): Artifact => ({
  id: 'art_1',
  type: 'commit',
  url,
  data: { sha, branch: 'nightshift/ab12', message: 'Add a greeting\n\nBody', pushed, messageId: 'm1' },
  createdAt: '2026-01-01T00:00:00.000Z',
});
const branch = (url: string | null): Artifact => ({
  id: 'art_2',
  type: 'branch',
  url,
  data: { branch: 'nightshift/ab12', sha, messageId: 'm1' },
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** Runs a command the UI offers, as a person pasting it into a shell would. */
function sh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: 'pipe' });
}

describe('commit and branch artifacts', () => {
  it('link to the git host’s pages when the server gave a URL, and offer no command', () => {
    const github = { repo: 'https://github.com/acme/app.git', baseBranch: 'main' };
    let host = render(commit('https://github.com/acme/app/commit/' + sha), github);
    const link = host.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://github.com/acme/app/commit/' + sha);
    expect(link.textContent).toBe(sha.slice(0, 12));
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(host.textContent).toContain('Add a greeting');
    expect(host.textContent).not.toContain('Body');
    expect(host.querySelector('.copy-command')).toBeNull();
    act(() => root!.unmount());

    host = render(branch('https://github.com/acme/app/tree/nightshift/ab12'), github);
    expect(host.querySelector('a')?.getAttribute('href')).toBe(
      'https://github.com/acme/app/tree/nightshift/ab12',
    );
    expect(host.querySelector('.copy-command')).toBeNull();
  });

  it('link only into the session’s own git host, whatever URL the artifact carries', () => {
    const github = { repo: 'git@github.com:acme/app.git', baseBranch: 'main' };
    let host = render(commit('https://github.com/acme/app/commit/' + sha), github);
    expect(host.querySelector('a')?.getAttribute('href')).toBe('https://github.com/acme/app/commit/' + sha);
    act(() => root!.unmount());
    for (const url of [
      'https://github.evil.example/acme/app/commit/' + sha,
      'javascript:alert(1)//github.com',
    ]) {
      host = render(commit(url), github);
      expect(host.querySelector('a'), url).toBeNull();
      expect(host.textContent).toContain(sha.slice(0, 12));
      act(() => root!.unmount());
    }
    // A local repository has no host: its command, never a link.
    host = render(commit('https://github.com/acme/app/commit/' + sha), {
      repo: '/srv/app',
      baseBranch: 'main',
    });
    expect(host.querySelector('a')).toBeNull();
    expect(host.querySelector('.copy-command')).not.toBeNull();
  });

  it('in a local repository, offer commands that really show the commit and the branch there', () => {
    // A path with a space and a quote, so the command must quote it to work.
    const dir = mkdtempSync(path.join(os.tmpdir(), "ns web 'repo' "));
    cleanup.push(dir);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'init');
    git('switch', '-q', '-c', 'nightshift/ab12');
    execFileSync('sh', ['-c', 'echo hello > GREETING.md'], { cwd: dir });
    git('add', 'GREETING.md');
    git('commit', '-q', '-m', 'Add a greeting');
    const real = git('rev-parse', 'HEAD').trim();
    const local = { repo: dir, baseBranch: 'main' };

    let host = render({ ...commit(null), data: { ...commit(null).data, sha: real } }, local);
    expect(host.querySelector('a')).toBeNull();
    const show = host.querySelector('.copy-command code')!.textContent!;
    expect(show).toMatch(/^git -C .* show [0-9a-f]{12}$/);
    expect(sh(show)).toContain('+hello');
    expect(host.querySelector('button')?.getAttribute('aria-label')).toBe(`Copy: ${show}`);
    act(() => root!.unmount());

    host = render(branch(null), { ...local, repo: `file://${encodeURI(dir)}` });
    const diff = host.querySelector('.copy-command code')!.textContent!;
    expect(diff).toContain('main...nightshift/ab12');
    expect(sh(diff)).toContain('+hello');
  });

  it('offer no command for a commit that was not pushed, nor for a remote without a web page', () => {
    let host = render(commit(null, false), { repo: '/srv/app', baseBranch: 'main' });
    expect(host.textContent).toContain('not pushed');
    expect(host.querySelector('.copy-command')).toBeNull();
    act(() => root!.unmount());
    host = render(commit(null), { repo: 'https://git.internal.example/acme/app.git', baseBranch: 'main' });
    expect(host.querySelector('.copy-command')).toBeNull();
    expect(host.textContent).toContain(sha.slice(0, 12));
  });

  it('copies the command, or selects it where the page may not use the clipboard', async () => {
    const local = { repo: '/srv/app', baseBranch: 'main' };
    let host = render(commit(null), local);
    const command = host.querySelector('.copy-command code')!.textContent!;
    // jsdom, like a page on plain http, has no navigator.clipboard.
    expect(navigator.clipboard).toBeUndefined();
    await act(async () => host.querySelector('button')!.click());
    expect(window.getSelection()?.toString()).toBe(command);
    act(() => root!.unmount());

    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    try {
      host = render(commit(null), local);
      await act(async () => host.querySelector('button')!.click());
      expect(writeText).toHaveBeenCalledWith(command);
      expect(host.querySelector('button')!.textContent).toBe('Copied');
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
    }
  });
});
