// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { ApiError } from '@nightshift/client';
import { PullRequestAction, type PullRequestRequest } from '../src/sessions/PullRequestAction.js';
import type { PullRequestView } from '../src/timeline/types.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function render(props: {
  pullRequest?: PullRequestView | null;
  canCreate?: boolean;
  onCreate?(request: PullRequestRequest): Promise<void>;
}) {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() =>
    root!.render(
      <PullRequestAction
        pullRequest={props.pullRequest ?? null}
        canCreate={props.canCreate ?? true}
        onCreate={props.onCreate ?? (async () => {})}
      />,
    ),
  );
  return host;
}

const button = (host: HTMLElement, name: string) =>
  [...host.querySelectorAll('button')].find((b) => b.textContent === name)!;

function fill(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const proto =
    input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(host: HTMLElement) {
  await act(async () => {
    host.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}

describe('Create pull request', () => {
  it('cannot be pressed before the agent has pushed anything', () => {
    const host = render({ canCreate: false });
    expect(button(host, 'Create pull request').disabled).toBe(true);
  });

  it('sends the title, description and draft the person gave, and nothing they left empty', async () => {
    const sent: PullRequestRequest[] = [];
    const host = render({ onCreate: async (r) => void sent.push(r) });
    act(() => button(host, 'Create pull request').click());
    await submit(host);
    expect(sent).toEqual([{}]);

    act(() => button(host, 'Create pull request').click());
    fill(host.querySelector<HTMLInputElement>('dialog input:not([type])')!, '  Fix the flaky test ');
    fill(host.querySelector('textarea')!, 'Because it flakes.');
    act(() => host.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click());
    await submit(host);
    expect(sent[1]).toEqual({ title: 'Fix the flaky test', body: 'Because it flakes.', draft: true });
    expect(host.querySelector('dialog')).toBeNull();
  });

  it('keeps the dialog open with the refusal and the link that fixes it', async () => {
    const host = render({
      onCreate: async () => {
        throw new ApiError('refused', 409, 'github_token_expired', 'sign in with GitHub again');
      },
    });
    act(() => button(host, 'Create pull request').click());
    await submit(host);
    const alert = host.querySelector('dialog [role="alert"]')!;
    expect(alert.textContent).toContain('sign in with GitHub again');
    const link = alert.querySelector('a')!;
    expect(link.textContent).toBe('Sign in with GitHub again');
    expect(link.getAttribute('href')).toMatch(/^\/api\/auth\/login\?returnTo=/);
  });

  it('under OIDC sign-in, the expired-token refusal links the GitHub account again', async () => {
    const host = render({
      onCreate: async () => {
        throw new ApiError('refused', 409, 'github_token_expired', 'sign in with GitHub again', {
          loginUrl: 'https://nightshift.example/api/auth/github/link',
        });
      },
    });
    act(() => button(host, 'Create pull request').click());
    await submit(host);
    const link = host.querySelector('dialog [role="alert"] a')!;
    expect(link.textContent).toBe('Link your GitHub account again');
    expect(link.getAttribute('href')).toMatch(/^\/api\/auth\/github\/link\?returnTo=/);
  });

  it('shows the pull request and its state once there is one', () => {
    const host = render({
      pullRequest: { number: 12, url: 'https://github.example/a/b/pull/12', state: 'merged', draft: false },
    });
    const link = host.querySelector('a')!;
    expect(link.textContent).toBe('Pull request #12');
    expect(link.getAttribute('href')).toBe('https://github.example/a/b/pull/12');
    expect(host.querySelector('[aria-label="Pull request state: Merged"]')?.textContent).toBe('Merged');
    expect(host.textContent).not.toContain('Create pull request');
  });
});
