// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Person } from '@nightshift/protocol';
import { AccountMenu } from '../src/auth/AccountMenu.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

const ada: Person = {
  id: 'p1',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  role: 'admin',
  githubLogin: null,
};

function render(person: Person, onSignOut: () => Promise<void>, mode?: 'oidc' | 'github') {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() => root!.render(<AccountMenu person={person} mode={mode} onSignOut={onSignOut} />));
  return host;
}

describe('AccountMenu', () => {
  it('shows who is signed in and their role; opens onto the settings pages and Sign out', async () => {
    const onSignOut = vi.fn(async () => {});
    const host = render(ada, onSignOut);
    const toggle = host.querySelector('button')!;
    expect(toggle.getAttribute('aria-label')).toBe('Signed in as Ada Lovelace (admin). Account menu');
    expect(toggle.textContent).toContain('Ada Lovelace');
    expect(toggle.textContent).toContain('admin');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');

    act(() => toggle.click());
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const links = [...host.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toEqual([
      ['Usage', '/settings/usage'],
      ['API tokens', '/settings/tokens'],
      ['Secrets', '/settings/secrets'],
    ]);
    const signOut = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Sign out')!;
    await act(async () => signOut.click());
    expect(onSignOut).toHaveBeenCalledOnce();

    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })));
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
  });

  it('shows no role for a member, and a failed sign-out as an alert', async () => {
    const host = render({ ...ada, role: 'member' }, async () => {
      throw new Error('the server is gone');
    });
    const toggle = host.querySelector('button')!;
    expect(toggle.textContent).not.toContain('admin');
    act(() => toggle.click());
    const signOut = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Sign out')!;
    await act(async () => signOut.click());
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('the server is gone');
  });

  it('offers linking a GitHub account under OIDC sign-in until one is linked, returning to this page', () => {
    window.history.replaceState(null, '', '/sessions/ses_1?tab=diff');
    const linkItem = (host: HTMLElement) =>
      [...host.querySelectorAll('a')].find((a) => a.textContent === 'Link GitHub account');

    const host = render(ada, async () => {}, 'oidc');
    act(() => host.querySelector('button')!.click());
    expect(linkItem(host)?.getAttribute('href')).toBe(
      `/api/auth/github/link?returnTo=${encodeURIComponent('/sessions/ses_1?tab=diff')}`,
    );
    act(() => root?.unmount());

    for (const [person, mode] of [
      [{ ...ada, githubLogin: 'ada-gh' }, 'oidc'],
      [ada, 'github'],
    ] as const) {
      const other = render(person, async () => {}, mode);
      act(() => other.querySelector('button')!.click());
      expect(linkItem(other)).toBeUndefined();
      act(() => root?.unmount());
    }
    root = null;
  });
});
