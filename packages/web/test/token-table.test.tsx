// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { TokenInfo } from '@nightshift/protocol';
import { TokenTable } from '../src/settings/tokens/TokenTable.js';
import { CreatedToken } from '../src/settings/tokens/CreatedToken.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

const tokens: TokenInfo[] = [
  {
    id: 't1',
    name: 'laptop CLI',
    createdAt: '2026-01-02T10:00:00.000Z',
    lastUsedAt: null,
    owner: { name: 'Ada Lovelace', email: 'ada@example.com' },
  },
];

const button = (host: HTMLElement, name: string) =>
  [...host.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);

describe('TokenTable', () => {
  it('lists tokens without values; Revoke asks first, and a refusal stays in the dialog', async () => {
    const onRevoke = vi.fn(async () => {
      throw new Error('token not found');
    });
    const host = document.body.appendChild(document.createElement('div'));
    root = createRoot(host);
    act(() => root!.render(<TokenTable tokens={tokens} showOwner onRevoke={onRevoke} />));
    expect(host.querySelector('tbody')?.textContent).toContain('laptop CLI');
    expect(host.querySelector('tbody')?.textContent).toContain('never');
    expect(host.querySelector('tbody')?.textContent).toContain('Ada Lovelace');

    act(() => button(host, 'Revoke laptop CLI')!.click());
    const dialog = host.querySelector('dialog')!;
    expect(dialog.textContent).toContain('Revoke “laptop CLI”?');
    expect(onRevoke).not.toHaveBeenCalled();
    await act(async () => button(dialog, 'Revoke token')!.click());
    expect(onRevoke).toHaveBeenCalledWith('t1');
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('token not found');

    act(() => button(dialog, 'Cancel')!.click());
    expect(host.querySelector('dialog')).toBeNull();
  });
});

describe('CreatedToken', () => {
  it('shows the token once with a Copy token button and the login command for this origin', () => {
    const host = document.body.appendChild(document.createElement('div'));
    root = createRoot(host);
    const token = { id: 't2', name: 'ci', token: 'nst_secretvalue', createdAt: '2026-01-02T10:00:00.000Z' };
    act(() => root!.render(<CreatedToken token={token} onDismiss={() => {}} />));
    const codes = [...host.querySelectorAll('code')].map((c) => c.textContent);
    expect(codes).toEqual(['nst_secretvalue', `nightshift login --server ${location.origin}`]);
    expect(button(host, 'Copy token')).toBeDefined();
    expect(host.textContent).toContain('it will not be shown again');
  });
});
