// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { SignInPage } from '../src/auth/SignInPage.js';
import { loginUrl, safeReturnTo, signInPath } from '../src/auth/return-to.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function render(props: Parameters<typeof SignInPage>[0]) {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() => root!.render(<SignInPage {...props} />));
  return host;
}

describe('SignInPage', () => {
  it('offers one button named for the provider, which navigates to the login route with returnTo', () => {
    const visited: string[] = [];
    const host = render({
      mode: 'oidc',
      search: '?returnTo=%2Fsessions%2Fs1',
      navigateTo: (u) => visited.push(u),
    });
    const buttons = [...host.querySelectorAll('button')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Sign in with SSO']);
    act(() => buttons[0]!.click());
    expect(visited).toEqual(['/api/auth/login?returnTo=%2Fsessions%2Fs1']);
    expect(host.querySelector('[role="alert"]')).toBeNull();

    act(() => root!.render(<SignInPage mode="github" search="" />));
    expect(host.querySelector('button')?.textContent).toBe('Sign in with GitHub');
  });

  it("shows a refusal's message as an alert", () => {
    const message = 'eve@elsewhere.test is not allowed on this deployment';
    const host = render({ mode: 'oidc', search: `?error=forbidden&message=${encodeURIComponent(message)}` });
    expect(host.querySelector('[role="alert"]')?.textContent).toBe(`Not allowed: ${message}`);
    const failed = render({ mode: 'oidc', search: '?error=sign_in_failed' });
    expect(failed.querySelector('[role="alert"]')?.textContent).toContain('Signing in did not complete');
  });

  it('says why the person is here after a session ended', () => {
    const host = render({ mode: 'oidc', search: '', reason: 'expired' });
    expect(host.querySelector('[role="status"]')?.textContent).toContain('Your session has ended');
  });
});

describe('returnTo', () => {
  it('keeps same-origin paths and drops anything that would leave the origin', () => {
    expect(safeReturnTo('/sessions/a?x=1')).toBe('/sessions/a?x=1');
    for (const bad of ['https://evil.test/', '//evil.test', '/\\evil.test', 'javascript:alert(1)', '', null])
      expect(safeReturnTo(bad)).toBe('/');
    expect(safeReturnTo('/sign-in?returnTo=/x')).toBe('/');
    expect(signInPath('/settings/tokens')).toBe('/sign-in?returnTo=%2Fsettings%2Ftokens');
    expect(signInPath('/')).toBe('/sign-in');
    expect(loginUrl('//evil.test')).toBe('/api/auth/login?returnTo=%2F');
  });
});
