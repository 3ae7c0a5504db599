// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { QueueList } from '../src/sessions/QueueList.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

describe('the queue', () => {
  it('shows who sent each waiting prompt, in order, each with its own Cancel', () => {
    const texts: Record<string, string> = { m1: 'Fix the login bug', m2: 'Add tests' };
    const authors: Record<string, string> = { m1: 'Ada Lovelace', m2: 'Grace Hopper' };
    const onCancel = vi.fn();
    const host = document.body.appendChild(document.createElement('div'));
    root = createRoot(host);
    act(() =>
      root!.render(
        <QueueList
          queued={['m1', 'm2', 'm3']}
          textOf={(id) => texts[id]}
          authorOf={(id) => authors[id]}
          onCancel={onCancel}
        />,
      ),
    );
    const items = [...host.querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual([
      '1Ada LovelaceFix the login bugCancel',
      '2Grace HopperAdd testsCancel',
      '3…Cancel', // not known yet: nobody is named rather than the wrong person
    ]);
    act(() => host.querySelectorAll('button')[1]!.click());
    expect(onCancel).toHaveBeenCalledWith('m2');
  });
});
