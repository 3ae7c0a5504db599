// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { RepoPicker } from '../src/sessions/RepoPicker.js';
import { searchRepos } from '../src/sessions/repo-search.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const repos = [
  { repo: 'acme/api', description: 'The public API' },
  { repo: 'acme/web', description: 'Storefront' },
  { repo: 'tools/webhook-relay' },
];

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function render() {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  const picked: string[] = [];
  function Harness() {
    const [value, setValue] = useState('');
    return (
      <form onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="r">Repository</label>
        <RepoPicker
          id="r"
          value={value}
          repos={repos}
          placeholder=""
          invalid={false}
          describedBy={undefined}
          onChange={setValue}
          onPick={(r) => picked.push(r.repo)}
        />
      </form>
    );
  }
  act(() => root!.render(<Harness />));
  const input = host.querySelector<HTMLInputElement>('[role="combobox"]')!;
  const options = () =>
    [...host.querySelectorAll('[role="option"]')].map((o) => o.getAttribute('aria-label'));
  return { host, input, options, picked };
}

function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const key = (input: HTMLInputElement, k: string) =>
  act(() => void input.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })));

describe('the repository picker', () => {
  it('narrows the deployment’s repositories as the person types, by name or description', () => {
    const { input, options } = render();
    act(() => input.focus());
    expect(options()).toEqual(['acme/api', 'acme/web', 'tools/webhook-relay']);
    type(input, 'web');
    // acme/web's name starts with the word; webhook-relay's too; both before a mere substring.
    expect(options()).toEqual(['acme/web', 'tools/webhook-relay']);
    type(input, 'storefront');
    expect(options()).toEqual(['acme/web']);
  });

  it('is driven by the keyboard: arrows move, Enter picks without submitting, Escape closes', () => {
    const { input, options, picked } = render();
    act(() => input.focus());
    type(input, 'acme');
    key(input, 'ArrowDown');
    key(input, 'ArrowDown');
    const active = input.getAttribute('aria-activedescendant');
    expect(document.getElementById(active!)?.getAttribute('aria-label')).toBe('acme/web');
    key(input, 'Enter');
    expect(input.value).toBe('acme/web');
    expect(picked).toEqual(['acme/web']);
    expect(input.getAttribute('aria-expanded')).toBe('false');
    type(input, 'acme/');
    expect(options().length).toBe(2);
    key(input, 'Escape');
    expect(input.getAttribute('aria-expanded')).toBe('false');
  });

  it('keeps whatever is typed, so a URL or a local path still works', () => {
    const { input, options } = render();
    act(() => input.focus());
    type(input, '/srv/git/project');
    expect(options()).toEqual([]);
    expect(input.value).toBe('/srv/git/project');
  });
});

describe('searchRepos', () => {
  it('requires every word and shows at most fifty', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ repo: `org/repo-${i}` }));
    expect(searchRepos(many, '').length).toBe(50);
    expect(searchRepos(repos, 'acme public').map((r) => r.repo)).toEqual(['acme/api']);
  });
});
